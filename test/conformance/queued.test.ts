import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { bullmqQueue, klingWorker } from '@kling-webhooks/bullmq';
import { redisStore } from '@kling-webhooks/redis';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteByPrefix, REDIS_URL } from '../redis/support/redis.js';
import { legacyBody, newBody, send, taskId, useApp } from './support.js';
import { targets } from './targets/index.js';

const sorted = (calls: readonly string[]) => [...calls].sort();

/** Polls until `check` holds (the worker runs after the answer). */
async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

// The same cases as dispatch.test.ts, with a BullMQ queue on the receiver and a worker running the handlers: every
// accepted event is answered `queued` before any handler runs, and runs once, in the worker.
describe.each(targets)('$name: queued (BullMQ)', (target) => {
  const prefix = `kling-test-conf-${randomUUID()}`;
  const connection = { url: REDIS_URL };
  const storeClient = new Redis(REDIS_URL);
  storeClient.on('error', () => {});
  const store = redisStore({ client: storeClient, prefix: `${prefix}-store:` });
  const queue = bullmqQueue({ connection, prefix, name: 'events', attempts: 3, backoff: { type: 'fixed', delay: 30 } });
  // Registered before useApp's: runs after the app (and its worker) closed.
  afterAll(async () => {
    await queue.close();
    await store.close?.();
    await deleteByPrefix(storeClient, prefix);
    storeClient.disconnect();
  });
  const { recorder, baseUrl } = useApp(target, {
    store,
    queue,
    worker: klingWorker({ connection, prefix, name: 'events', concurrency: 4, inFlightDelayMs: 50 }),
  });

  it('each status is answered `queued` and reaches exactly its handlers and "*", once each, in the worker', async () => {
    const ids = { processing: taskId(), succeed: taskId(), failed: taskId(), fresh: taskId(), unknown: taskId() };
    for (const status of ['submitted', 'processing'] as const) {
      const response = await send(baseUrl(), legacyBody(ids.processing, status));
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ ok: true, queued: true });
    }
    expect((await send(baseUrl(), legacyBody(ids.succeed, 'succeed'))).json).toEqual({ ok: true, queued: true });
    expect((await send(baseUrl(), legacyBody(ids.failed, 'failed'))).json).toEqual({ ok: true, queued: true });
    expect((await send(baseUrl(), newBody(ids.fresh, 'succeeded'))).json).toEqual({ ok: true, queued: true });
    expect((await send(baseUrl(), newBody(ids.unknown, 'archived'))).json).toEqual({ ok: true, queued: true });
    await eventually(() => recorder.callsOf(ids.unknown).length === 1, 'the unknown status to run');
    await eventually(() => recorder.callsOf(ids.processing).length === 4, 'submitted and processing to run');
    await eventually(() => recorder.callsOf(ids.fresh).length === 2, 'the new-dialect event to run');
    await eventually(() => recorder.callsOf(ids.failed).length === 2, 'the failed event to run');
    await eventually(() => recorder.callsOf(ids.succeed).length === 2, 'the succeeded event to run');
    expect(sorted(recorder.callsOf(ids.processing))).toEqual(sorted(['submitted', 'processing', '*', '*']));
    expect(sorted(recorder.callsOf(ids.succeed))).toEqual(['*', 'succeed']);
    expect(recorder.lastEvent(ids.succeed)).toMatchObject({
      status: 'succeed',
      videos: [{ url: `https://cdn.example.com/${ids.succeed}.mp4`, duration: 5.1 }],
    });
    expect(recorder.lastEvent(ids.succeed)?.createdAt).toBeInstanceOf(Date);
    expect(sorted(recorder.callsOf(ids.failed))).toEqual(['*', 'failed']);
    expect(sorted(recorder.callsOf(ids.fresh))).toEqual(['*', 'succeed']);
    expect(recorder.callsOf(ids.unknown)).toEqual(['*']);
  });

  it('the same delivery sent 5 times at once is queued once and handled once', async () => {
    const id = taskId();
    recorder.behave(id, { delayMs: 50 });
    const completed = recorder.completion(id);
    const body = legacyBody(id, 'succeed');
    const credential = { kind: 'kling', id: `msg_${id}`, timestamp: Math.floor(Date.now() / 1000) } as const;
    const answers = await Promise.all(Array.from({ length: 5 }, () => send(baseUrl(), body, { credential })));
    // 409: another replica's request held the claim while it stored the job; the sender retries into a duplicate.
    for (const answer of answers) expect([200, 409]).toContain(answer.status);
    await completed;
    await sleep(300);
    expect(sorted(recorder.callsOf(id))).toEqual(['*', 'succeed']);
    expect((await send(baseUrl(), body, { credential })).json).toEqual({ ok: true, duplicate: true });
  });

  it('a handler that throws is retried by BullMQ (not by the sender), and its success recorded once', async () => {
    const id = taskId();
    recorder.behave(id, { failTimes: 1 });
    const completed = recorder.completion(id);
    const body = legacyBody(id, 'succeed');
    const answer = await send(baseUrl(), body);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ ok: true, queued: true });
    await completed;
    await eventually(() => recorder.callsOf(id).length === 4, 'the retry');
    expect(sorted(recorder.callsOf(id))).toEqual(['*', '*', 'succeed', 'succeed']);
    await sleep(100);
    expect((await send(baseUrl(), body)).json).toEqual({ ok: true, duplicate: true });
  });

  it('nothing after the end: once the terminal event ran, a second terminal state or a late state reaches no handler', async () => {
    const id = taskId();
    expect((await send(baseUrl(), legacyBody(id, 'succeed'))).json).toEqual({ ok: true, queued: true });
    await eventually(() => recorder.callsOf(id).length === 2, 'the terminal event to run');
    await sleep(100);
    for (const status of ['failed', 'processing']) {
      const late = await send(baseUrl(), legacyBody(id, status));
      expect(late.status).toBe(200);
      expect(late.json).toEqual({ ok: true, ignored: 'out-of-order' });
    }
    // Queued together before a worker ran them: one terminal state runs, the other is suppressed in the worker.
    const both = taskId();
    const answers = await Promise.all([
      send(baseUrl(), legacyBody(both, 'succeed')),
      send(baseUrl(), legacyBody(both, 'failed')),
    ]);
    for (const answer of answers) expect(answer.status).toBe(200);
    await eventually(() => recorder.callsOf(both).length >= 2, 'one terminal event to run');
    await sleep(300);
    expect(recorder.callsOf(both)).toHaveLength(2);
    expect(recorder.callsOf(both)).toContain('*');
    expect(id).not.toBe(both);
    expect(sorted(recorder.callsOf(id))).toEqual(['*', 'succeed']);
  });
});
