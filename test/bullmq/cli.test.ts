import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createKlingWorker } from '@kling-webhooks/bullmq';
import { klingIdempotencyKey, normalize, silentLogger } from '@kling-webhooks/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { legacyBody, taskId } from '../conformance/support.js';
import { describeWithRedis, REDIS_URL } from '../redis/support/redis.js';
import { assertBuilt } from '../redis/support/replicas.js';
import { connection, eventually, openSpace, type QueueSpace } from './support/queue.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../packages/bullmq/dist/cli.js', import.meta.url));

describeWithRedis('kling-bullmq CLI', () => {
  let space: QueueSpace;

  beforeAll(async () => {
    assertBuilt(['core', 'bullmq']);
    space = await openSpace({ attempts: 1 });
  });
  afterAll(() => space?.close());

  it('counts and re-queues the failed jobs of a queue', async () => {
    const event = normalize(JSON.parse(legacyBody(taskId(), 'succeed')), { source: 'callback' });
    await space.queue.enqueue({ key: klingIdempotencyKey(event), event });
    const worker = createKlingWorker({
      handlers: {
        succeed: () => {
          throw new Error('down for the test');
        },
      },
      store: space.store,
      logger: silentLogger,
      connection: connection(),
      name: space.name,
      prefix: space.prefix,
    });
    await eventually(async () => (await space.queue.queue.getFailedCount()) === 1, 'the job to fail');
    await worker.close();

    const args = ['--redis', REDIS_URL, '--name', space.name, '--prefix', space.prefix];
    expect((await run(process.execPath, [cli, 'count-failed', ...args])).stdout.trim()).toBe('1');
    const requeued = await run(process.execPath, [cli, 'requeue-failed', ...args]);
    expect(requeued.stdout.trim()).toBe(`re-queued 1 failed job from ${space.name}`);
    expect(await space.queue.queue.getFailedCount()).toBe(0);
    const [waiting] = await space.queue.queue.getWaiting();
    expect(waiting?.data.event.taskId).toBe(event.taskId);
    expect(waiting?.attemptsMade).toBe(0);
  });

  it('exits 2 with the usage on an unknown command', async () => {
    const failed = await run(process.execPath, [cli, 'drop-everything']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect((failed as { code: number }).code).toBe(2);
    expect((failed as { stderr: string }).stderr).toContain('usage: kling-bullmq requeue-failed');
  });
});
