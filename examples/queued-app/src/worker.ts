// The worker process: runs the handlers for the queued events, with retries; failed events stay for re-queueing.
import { createKlingWorker } from '@kling-webhooks/bullmq';
import { consoleLogger, klingIdempotencyKey } from '@kling-webhooks/core';
import { redisStore } from '@kling-webhooks/redis';
import { Redis } from 'ioredis';
import { readConfig } from './config.js';

const { redisUrl, queueName, prefix } = readConfig();
const redis = new Redis(redisUrl);
redis.on('error', () => {});

const worker = createKlingWorker({
  connection: { url: redisUrl },
  name: queueName,
  prefix,
  concurrency: 4,
  store: redisStore({ client: redis, prefix: `${prefix}:store:` }),
  logger: consoleLogger(),
  handlers: {
    succeed: (event) => {
      // At least once per task state: writes keyed by klingIdempotencyKey(event) make a repeat harmless.
      const key = klingIdempotencyKey(event);
      for (const video of event.videos) console.log(`task ${event.taskId} succeeded: video ${video.url} (${key})`);
      for (const image of event.images) console.log(`task ${event.taskId} succeeded: image ${image.url} (${key})`);
    },
    failed: (event) => {
      console.warn(`task ${event.taskId} failed: ${event.message || 'no reason given'}`);
    },
  },
});
await worker.worker.waitUntilReady();
console.log(`worker ready on queue ${queueName}`);

process.on('SIGTERM', () => {
  void worker.close().then(() => redis.quit());
});
