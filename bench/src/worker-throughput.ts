// `node bench/dist/worker-throughput.js [--events N] [--concurrency C] [--workers W] [--quick]`: how many queued events
// per second BullMQ workers take through claim → no-op handler → complete (Redis store) → job completed. The events are
// queued first (as the web side stores them), then the workers start; the clock runs from their start to the last
// completion. Prints one markdown table row per setting; the numbers go to docs/benchmarks.md.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { bullmqQueue, createKlingWorker } from '@kling-webhooks/bullmq';
import { klingIdempotencyKey, normalize, silentLogger } from '@kling-webhooks/core';
import { redisStore } from '@kling-webhooks/redis';
import { Redis } from 'ioredis';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    concurrency: { type: 'string' },
    workers: { type: 'string' },
    quick: { type: 'boolean' },
  },
});
const quick = values.quick === true;
const events = Number(values.events ?? (quick ? 500 : 20_000));
const workerCount = Number(values.workers ?? 1);
const concurrencies = (values.concurrency ?? (quick ? '8' : '1,8,32')).split(',').map(Number);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function measure(concurrency: number): Promise<{ perSec: number; ms: number }> {
  const prefix = `kling-bench-wt-${randomUUID()}`;
  const redis = new Redis(redisUrl, { enableAutoPipelining: true });
  const store = redisStore({ client: redis, prefix: `${prefix}:store:` });
  const queue = bullmqQueue({ connection: { url: redisUrl }, name: 'events', prefix });
  try {
    // Queued as the web side would: one job per event, in batches (BullMQ's addBulk would skip our job ids).
    for (let i = 0; i < events; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, events - i) }, (_, j) => {
          const event = normalize(
            { task_id: `wt-${i + j}`, task_status: 'succeed', task_status_msg: '', created_at: 1 },
            { source: 'callback' },
          );
          return queue.enqueue({ key: klingIdempotencyKey(event), event });
        }),
      );
    }
    let done = 0;
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const started = performance.now();
    const workers = Array.from({ length: workerCount }, () => {
      const worker = createKlingWorker({
        connection: { url: redisUrl },
        name: 'events',
        prefix,
        concurrency,
        store,
        logger: silentLogger,
        handlers: { '*': () => undefined },
      });
      worker.worker.on('completed', () => {
        done++;
        if (done === events) finish();
      });
      return worker;
    });
    await finished;
    const ms = performance.now() - started;
    await Promise.all(workers.map((worker) => worker.close()));
    return { perSec: (events / ms) * 1000, ms };
  } finally {
    await queue.queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
    await store.close?.();
    redis.disconnect();
  }
}

console.log(`worker throughput: ${events} queued events, ${workerCount} worker(s) in this process, no-op handler`);
console.log('| worker concurrency | events/s | total ms |');
console.log('|--:|--:|--:|');
for (const concurrency of concurrencies) {
  const { perSec, ms } = await measure(concurrency);
  console.log(`| ${concurrency} | ${Math.round(perSec).toLocaleString('en-US')} | ${Math.round(ms)} |`);
}
