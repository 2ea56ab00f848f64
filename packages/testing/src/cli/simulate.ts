import { parseArgs } from 'node:util';
import { mockKling } from '../mock-kling/server.js';
import type { MockKlingEvent } from '../mock-kling/types.js';
import { type CliIo, intOption, ratioOption, redactUrl } from './io.js';

function describe(event: MockKlingEvent): string {
  switch (event.type) {
    case 'created':
      return `created   ${event.task.taskId} ${event.task.product}${event.task.callbackUrl ? '' : ' (no callback_url)'}`;
    case 'advanced':
      return `advanced  ${event.task.taskId} → ${event.task.status}`;
    case 'dropped':
      return `dropped   ${event.taskId} ${event.status} callback`;
    case 'callback': {
      const d = event.delivery;
      const answer = d.responseStatus === undefined ? `no answer (${d.error ?? 'error'})` : String(d.responseStatus);
      return `callback  ${d.taskId} ${d.status}${d.duplicate ? ' (duplicate)' : ''} → ${redactUrl(d.url)}: ${answer} in ${d.ms} ms`;
    }
  }
}

/** Where the printed curl line sends callbacks unless `--callback-url` says otherwise (the examples' route). */
const DEFAULT_CALLBACK_URL = 'http://127.0.0.1:3000/webhooks/kling';

/** The `Authorization` value the printed curl line carries, for the credentials the mock was started with. */
function bearerFor(values: { 'api-key'?: string | undefined; 'access-key'?: string | undefined }): string {
  if (values['api-key'] !== undefined) return values['api-key'];
  if (values['access-key'] !== undefined) return '<a JWT made from your access key and secret key>';
  return 'test';
}

/** A shell line that creates a legacy text-to-video task on the mock, quoted for POSIX shells. */
export function createTaskCurl(apiUrl: string, callbackUrl: string, bearer: string): string {
  const body = JSON.stringify({ model_name: 'kling-v2-6', prompt: 'a red fox', callback_url: callbackUrl });
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  return [
    'curl -sS -X POST',
    quote(`${apiUrl}/v1/videos/text2video`),
    '-H',
    quote(`Authorization: Bearer ${bearer}`),
    '-H',
    quote('Content-Type: application/json'),
    '-d',
    quote(body),
  ].join(' ');
}

/** Resolves on the first Ctrl-C (SIGINT) or SIGTERM. */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `kling-webhooks simulate`: runs the mock Kling API until Ctrl-C, printing what it does. */
export async function simulateCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'webhook-secret': { type: 'string' },
      unsigned: { type: 'boolean' },
      'api-key': { type: 'string' },
      'access-key': { type: 'string' },
      'secret-key': { type: 'string' },
      'step-ms': { type: 'string' },
      'fail-rate': { type: 'string' },
      'drop-rate': { type: 'string' },
      duplicate: { type: 'string' },
      quiet: { type: 'boolean' },
      'callback-url': { type: 'string' },
    },
  });
  const failRate = ratioOption('fail-rate', values['fail-rate']);
  const dropRate = ratioOption('drop-rate', values['drop-rate']);
  const kling = await mockKling({
    port: intOption('port', values.port, 0),
    host: values.host,
    webhookSecret: values.unsigned ? false : values['webhook-secret'],
    apiKey: values['api-key'],
    accessKey: values['access-key'],
    secretKey: values['secret-key'],
    behaviour: {
      stepMs: intOption('step-ms', values['step-ms'], 2000),
      duplicate: intOption('duplicate', values.duplicate, 0),
      fail: () => Math.random() < failRate,
      drop: () => Math.random() < dropRate,
    },
    onEvent: values.quiet ? undefined : (event) => io.out(describe(event)),
  });
  io.out(`mock Kling API listening on ${kling.url}`);
  io.out(
    kling.webhookSecret === undefined
      ? "callbacks are sent unsigned: run your receiver with verify: 'none' (or a callbackToken in the callback_url)"
      : `callbacks are signed with webhook secret ${kling.webhookSecret}`,
  );
  if (kling.webhookSecret !== undefined) {
    io.out('give your receiver that secret, e.g.:');
    io.out(`  KLING_WEBHOOK_SECRET=${kling.webhookSecret} pnpm example:express`);
  }
  io.out(
    values['api-key'] === undefined && values['access-key'] === undefined
      ? 'any Bearer credential is accepted'
      : 'requests must carry the configured credentials',
  );
  io.out('create a task whose callbacks go to your receiver:');
  io.out(`  ${createTaskCurl(kling.url, values['callback-url'] ?? DEFAULT_CALLBACK_URL, bearerFor(values))}`);
  io.out('press Ctrl-C to stop');
  await Promise.race([interrupted(), io.closed ?? new Promise<void>(() => {})]);
  const { stats } = kling;
  await kling.close();
  io.out(
    `stopped: ${stats.created} tasks created, ${stats.callbacksSent} callbacks sent (${stats.callbacksDuplicated} duplicates, ${stats.callbacksFailed} not acknowledged), ${stats.callbacksDropped} dropped`,
  );
  return 0;
}
