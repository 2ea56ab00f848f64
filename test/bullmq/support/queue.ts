import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { bullmqQueue, type KlingBullmqQueue } from '@kling-webhooks/bullmq';
import type { KlingStore } from '@kling-webhooks/core';
import { redisStore } from '@kling-webhooks/redis';
import { Redis } from 'ioredis';
import { deleteByPrefix, REDIS_URL } from '../../redis/support/redis.js';

/** BullMQ connection options for REDIS_URL. */
export function connection(url = REDIS_URL): { url: string } {
  return { url };
}

/** One test's own Redis space: a store prefix, a BullMQ prefix and queue name nobody else uses. */
export interface QueueSpace {
  readonly id: string;
  /** BullMQ key prefix (the queue's keys are `<prefix>:<name>:...`). */
  readonly prefix: string;
  readonly name: string;
  readonly store: KlingStore;
  readonly queue: KlingBullmqQueue;
  readonly admin: Redis;
  close(): Promise<void>;
}

/** Opens a fresh space; `queueOptions` go to `bullmqQueue`. */
export async function openSpace(queueOptions: Partial<Parameters<typeof bullmqQueue>[0]> = {}): Promise<QueueSpace> {
  const id = randomUUID();
  const prefix = `kling-test-bq-${id}`;
  const name = 'events';
  const admin = new Redis(REDIS_URL, { lazyConnect: true });
  await admin.connect();
  const storeClient = new Redis(REDIS_URL, { lazyConnect: true });
  storeClient.on('error', () => {});
  await storeClient.connect();
  const store = redisStore({ client: storeClient, prefix: `${prefix}-store:` });
  const queue = bullmqQueue({ connection: connection(), name, prefix, ...queueOptions });
  return {
    id,
    prefix,
    name,
    store,
    queue,
    admin,
    async close() {
      await queue.close();
      await store.close?.();
      storeClient.disconnect();
      await deleteByPrefix(admin, prefix);
      admin.disconnect();
    },
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes; throws with `what` on time-out. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
