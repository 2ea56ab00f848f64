import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { DEFAULT_QUEUE_NAME } from './job.js';
import { requeueFailed } from './requeue.js';

const USAGE = `usage: kling-bullmq requeue-failed [--redis <url>] [--name <queue>] [--prefix <prefix>] [--limit <n>]
       kling-bullmq count-failed   [--redis <url>] [--name <queue>] [--prefix <prefix>]

  --redis   Redis URL (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --name    queue name (default: ${DEFAULT_QUEUE_NAME})
  --prefix  BullMQ key prefix (default: BullMQ's, bull)
  --limit   most jobs to re-queue (default: all)`;

/** Runs the CLI; resolves with the exit code. */
export async function runCli(
  argv: string[],
  io: { out: (line: string) => void; err: (line: string) => void; env: NodeJS.ProcessEnv },
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`kling-bullmq: ${(error as Error).message}`);
    io.err(USAGE);
    return 2;
  }
  const { positionals, values } = parsed;
  const command = positionals[0];
  if (values.help === true || command === undefined) {
    (values.help === true ? io.out : io.err)(USAGE);
    return values.help === true ? 0 : 2;
  }
  if (command !== 'requeue-failed' && command !== 'count-failed') {
    io.err(`kling-bullmq: unknown command ${JSON.stringify(command)}`);
    io.err(USAGE);
    return 2;
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    io.err('kling-bullmq: --limit must be a positive whole number');
    return 2;
  }
  const url = values.redis ?? io.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const queue = new Queue(values.name ?? DEFAULT_QUEUE_NAME, {
    // Fail instead of waiting forever for a Redis that is not there.
    connection: { url, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null },
    ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
  });
  queue.on('error', () => {});
  try {
    await queue.waitUntilReady();
    if (command === 'count-failed') {
      io.out(String(await queue.getFailedCount()));
      return 0;
    }
    const moved = await requeueFailed(queue, limit === undefined ? {} : { limit });
    io.out(`re-queued ${moved} failed job${moved === 1 ? '' : 's'} from ${queue.name}`);
    return 0;
  } catch (error) {
    // The URL may hold a password: name the error, not the URL.
    io.err(`kling-bullmq: ${(error as Error).message}`);
    return 1;
  } finally {
    await queue.close().catch(() => {});
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      redis: { type: 'string' },
      name: { type: 'string' },
      prefix: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
