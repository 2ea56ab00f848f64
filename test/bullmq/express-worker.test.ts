import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKlingWorker, type KlingWorker, klingJobId } from '@kling-webhooks/bullmq';
import { type KlingTaskEvent, klingIdempotencyKey, klingSignature, silentLogger } from '@kling-webhooks/core';
import { klingWebhooks } from '@kling-webhooks/express';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_PATH, legacyBody, send, taskId, WEBHOOK_SECRET } from '../conformance/support.js';
import { describeWithRedis } from '../redis/support/redis.js';
import { connection, eventually, openSpace, type QueueSpace } from './support/queue.js';

describeWithRedis('queued Express route + BullMQ worker', () => {
  let space: QueueSpace;
  let baseUrl: string;
  let server: ReturnType<ReturnType<typeof express>['listen']>;
  let worker: KlingWorker | undefined;
  const succeeded: KlingTaskEvent[] = [];
  const failTimes = new Map<string, number>();
  let receiver: ReturnType<typeof klingWebhooks>['receiver'];

  beforeAll(async () => {
    space = await openSpace({ attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    const app = express();
    const middleware = klingWebhooks({
      path: CALLBACK_PATH,
      verify: klingSignature({ secrets: [WEBHOOK_SECRET] }),
      store: space.store,
      queue: space.queue,
      logger: silentLogger,
    });
    receiver = middleware.receiver;
    receiver.on('succeed', (event) => {
      const left = failTimes.get(event.taskId) ?? 0;
      if (left > 0) {
        failTimes.set(event.taskId, left - 1);
        throw new Error(`asked to fail ${event.taskId}`);
      }
      succeeded.push(event);
    });
    app.use(middleware);
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await space?.close();
  });

  const startWorker = () => {
    worker = createKlingWorker({ receiver, connection: connection(), name: space.name, prefix: space.prefix });
    return worker;
  };
  const runs = (id: string) => succeeded.filter((event) => event.taskId === id).length;

  it('answers 200 once the job is stored, runs no handler in the request, and the worker runs it once', async () => {
    const id = taskId();
    const body = legacyBody(id, 'succeed');
    const first = await send(baseUrl, body, {
      credential: { kind: 'kling', id: `msg-${id}`, timestamp: Math.floor(Date.now() / 1000) },
    });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ ok: true, queued: true });
    const job = await space.queue.queue.getJob(
      klingJobId(`${klingIdempotencyKey({ taskId: id, status: 'succeed' } as KlingTaskEvent)}`),
    );
    expect(job?.data.event.taskId).toBe(id);
    // A redelivery while the job waits queues nothing new.
    const again = await send(baseUrl, body);
    expect(again.status).toBe(200);
    expect(await space.queue.queue.getJobCounts('waiting', 'delayed', 'active')).toEqual({
      waiting: 1,
      delayed: 0,
      active: 0,
    });
    await sleep(100);
    expect(runs(id)).toBe(0);

    startWorker();
    await eventually(() => runs(id) === 1, 'the worker to run the handler');
    const event = succeeded.find((e) => e.taskId === id) as KlingTaskEvent;
    expect(event.createdAt).toBeInstanceOf(Date);
    expect(event.videos[0]?.url).toBe(`https://cdn.example.com/${id}.mp4`);
    await eventually(
      async () => (await space.queue.queue.getJobCounts('completed', 'waiting', 'active')).waiting === 0,
      'the job to complete',
    );
    // Done in the store: a later redelivery is a duplicate, and nothing runs again.
    const late = await send(baseUrl, body);
    expect(late.json).toEqual({ ok: true, duplicate: true });
    await sleep(200);
    expect(runs(id)).toBe(1);
  });

  it('retries a failing handler with back-off and records one success', async () => {
    startWorker();
    const id = taskId();
    failTimes.set(id, 2);
    expect((await send(baseUrl, legacyBody(id, 'succeed'))).status).toBe(200);
    await eventually(() => runs(id) === 1, 'the third attempt to succeed');
    await sleep(200);
    expect(runs(id)).toBe(1);
    expect(failTimes.get(id)).toBe(0);
  });

  it('leaves a job that failed every attempt in the failed set with its event and error; requeueFailed runs it again', async () => {
    startWorker();
    const id = taskId();
    failTimes.set(id, 3);
    expect((await send(baseUrl, legacyBody(id, 'succeed'))).status).toBe(200);
    let failed: Awaited<ReturnType<typeof space.queue.queue.getFailed>> = [];
    await eventually(async () => {
      failed = (await space.queue.queue.getFailed()).filter((job) => job.data.event.taskId === id);
      return failed.length === 1;
    }, 'the job to fail its last attempt');
    expect(failed[0]?.attemptsMade).toBe(3);
    expect(failed[0]?.failedReason).toContain(`asked to fail ${id}`);
    expect(failed[0]?.data.event.status).toBe('succeed');
    expect(runs(id)).toBe(0);
    // Kling redelivers meanwhile: accepted (the failed job stands for it), nothing new queued, nothing run.
    expect((await send(baseUrl, legacyBody(id, 'succeed'))).json).toEqual({ ok: true, queued: true });
    expect(await space.queue.queue.getFailedCount()).toBe(1);

    expect(await space.queue.requeueFailed()).toBe(1);
    await eventually(() => runs(id) === 1, 'the re-queued job to run');
    expect(await space.queue.queue.getFailedCount()).toBe(0);
  });

  it('never dispatches an event queued before its task ended, once the end ran', async () => {
    const id = taskId();
    // Both queued before any worker runs: the late `processing` is claimed after `succeed` completed.
    const processing: string[] = [];
    const onProcessing = (event: KlingTaskEvent) => void processing.push(event.taskId);
    receiver.on('processing', onProcessing);
    try {
      expect((await send(baseUrl, legacyBody(id, 'succeed'))).json).toEqual({ ok: true, queued: true });
      expect((await send(baseUrl, legacyBody(id, 'processing'))).json).toEqual({ ok: true, queued: true });
      startWorker();
      await eventually(() => runs(id) === 1, 'the terminal event to run');
      await eventually(
        async () =>
          (await space.queue.queue.getJobCounts('waiting', 'active')).waiting === 0 &&
          (await space.queue.queue.getJobCounts('active')).active === 0,
        'the queue to drain',
      );
      expect(processing).not.toContain(id);
      // After the end, the HTTP side says so without queueing.
      expect((await send(baseUrl, legacyBody(id, 'processing'))).json).toEqual({ ok: true, ignored: 'out-of-order' });
    } finally {
      receiver.off('processing', onProcessing);
    }
  });
});

describe('bullmqQueue options', () => {
  it('needs exactly one of connection and queue', async () => {
    const { bullmqQueue } = await import('@kling-webhooks/bullmq');
    expect(() => bullmqQueue({})).toThrow(/either `connection` or `queue`/);
  });
});
