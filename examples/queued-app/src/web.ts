// The web process: verifies Kling callbacks, stores each as a BullMQ job and answers 200 once Redis has it.
import { bullmqQueue } from '@kling-webhooks/bullmq';
import { consoleLogger, klingSignature } from '@kling-webhooks/core';
import { klingWebhooks } from '@kling-webhooks/express';
import { redisStore } from '@kling-webhooks/redis';
import express from 'express';
import { Redis } from 'ioredis';
import { readConfig } from './config.js';

const secret = process.env.KLING_WEBHOOK_SECRET ?? '';
const { redisUrl, queueName, prefix } = readConfig();
const port = Number(process.env.PORT ?? 3000);

const redis = new Redis(redisUrl);
redis.on('error', () => {}); // the receiver answers 503 and logs the outage once
const queue = bullmqQueue({ connection: { url: redisUrl }, name: queueName, prefix, attempts: 5 });
const kling = klingWebhooks({
  path: '/webhooks/kling',
  verify: klingSignature({ secrets: secret.split(',').map((s) => s.trim()) }),
  store: redisStore({ client: redis, prefix: `${prefix}:store:` }),
  queue,
  logger: consoleLogger(),
});

const app = express();
app.use(kling);
app.get('/health', (_req, res) => {
  res.json({ ok: true });
});
const server = app.listen(port, () => {
  const address = server.address();
  const actual = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`listening on http://localhost:${actual} — Kling callbacks go to /webhooks/kling (queued)`);
});

process.on('SIGTERM', () => {
  server.close();
  void queue.close().then(() => redis.quit());
});
