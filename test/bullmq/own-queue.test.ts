import { randomUUID } from 'node:crypto';
import { bullmqQueue, createKlingWorker, klingJobId } from '@kling-webhooks/bullmq';
import {
  createKlingReceiver,
  type KlingConfigError,
  type KlingTaskEvent,
  klingSignature,
  signKlingWebhook,
  silentLogger,
} from '@kling-webhooks/core';
import { storeKeys } from '@kling-webhooks/core/adapter';
import { redisStore } from '@kling-webhooks/redis';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { legacyBody, taskId, WEBHOOK_SECRET } from '../conformance/support.js';
import { deleteByPrefix, describeWithRedis, REDIS_URL } from '../redis/support/redis.js';
import { connection, eventually } from './support/queue.js';

// `bullmqQueue({ queue })`: an app hands over a BullMQ Queue it made (its own connection, name, prefix).
describeWithRedis('bullmqQueue with a Queue of the app’s own', () => {
  const prefix = `kling-test-bq-own-${randomUUID()}`;
  const name = 'own-events';
  let own: Queue;
  let admin: Redis;
  let storeClient: Redis;

  beforeAll(async () => {
    own = new Queue(name, { connection: connection(), prefix });
    admin = new Redis(REDIS_URL);
    storeClient = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await own?.close();
    storeClient?.disconnect();
    if (admin !== undefined) {
      await deleteByPrefix(admin, prefix);
      admin.disconnect();
    }
  });

  it('refuses both a connection and a queue, and neither', () => {
    expect(() => bullmqQueue({ connection: connection(), queue: own })).toThrow(
      expect.objectContaining<Partial<KlingConfigError>>({ code: 'KLING_CONFIG' }),
    );
    expect(() => bullmqQueue({})).toThrow(/either `connection` or `queue`/);
  });

  it('stores each event in that queue once, leaves it open on close, and a worker on its name and prefix runs it', async () => {
    const queue = bullmqQueue({ queue: own, attempts: 2 });
    expect(queue.queue).toBe(own);
    const store = redisStore({ client: storeClient, prefix: `${prefix}-store:` });
    const receiver = createKlingReceiver({
      verify: klingSignature({ secrets: [WEBHOOK_SECRET] }),
      store,
      queue,
      logger: silentLogger,
    });
    const handled: KlingTaskEvent[] = [];
    receiver.on('succeed', (event) => {
      handled.push(event);
    });
    const id = taskId();
    const body = legacyBody(id, 'succeed');
    const deliver = () =>
      receiver.handle({
        method: 'POST',
        url: '/kling',
        headers: { 'content-type': 'application/json', ...signKlingWebhook({ secret: WEBHOOK_SECRET, body }) },
        rawBody: new TextEncoder().encode(body),
      });

    const first = await deliver();
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ ok: true, queued: true });
    // A redelivery before any worker ran finds the same job: still one job in the app's queue.
    expect((await deliver()).status).toBe(200);
    const job = await own.getJob(klingJobId(storeKeys.event(id, 'succeed')));
    expect(job?.data).toMatchObject({ event: { taskId: id, status: 'succeed' } });
    expect(await own.getJobCountByTypes('waiting', 'delayed', 'active')).toBe(1);
    expect(handled).toHaveLength(0);

    // The app's queue is the app's to close.
    await queue.close();
    expect(await own.getJobCountByTypes('waiting')).toBe(1);

    const worker = createKlingWorker({ receiver, connection: connection(), name, prefix });
    try {
      await eventually(() => handled.length === 1, 'the worker to run the queued event');
      await eventually(async () => (await store.isTaskDone(id)) === true, 'the event to be recorded done');
      expect(handled[0]?.taskId).toBe(id);
    } finally {
      await worker.close();
    }
    expect(handled).toHaveLength(1);
  });
});
