import { setTimeout as sleep } from 'node:timers/promises';
import {
  createReconciler,
  type KlingReconciler,
  type KlingStore,
  memoryStore,
  type ReconcilerOptions,
  silentLogger,
} from '@kling-webhooks/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deferred } from './receiver-fixtures.js';
import { type CallbackSide, callbackSide, clientFor, type TaskApi, taskApi } from './reconciler-fixtures.js';

const FALLBACK = 60_000;
const BACKOFF = 10_000;

describe('createReconciler', () => {
  let api: TaskApi;
  let store: KlingStore;
  let side: CallbackSide;
  let clock: number;
  const now = () => clock;
  const reconcilers: KlingReconciler[] = [];

  const reconciler = (options: Partial<ReconcilerOptions> = {}) => {
    const r = createReconciler({
      client: clientFor(api, store, now, FALLBACK),
      receiver: side.receiver,
      store,
      fallbackAfterMs: FALLBACK,
      backoffMs: BACKOFF,
      now,
      logger: silentLogger,
      ...options,
    });
    reconcilers.push(r);
    return r;
  };
  const create = (product = 'videos/text2video') =>
    clientFor(api, store, now, FALLBACK).createTask(product, { prompt: 'a red fox' });
  const setStatus = (taskId: string, status: 'processing' | 'succeed' | 'failed') => {
    const task = api.tasks.get(taskId);
    if (task) task.status = status;
  };

  beforeEach(async () => {
    clock = Date.now();
    api = await taskApi();
    store = memoryStore();
    side = await callbackSide(store);
  });
  afterEach(async () => {
    await Promise.all(reconcilers.splice(0).map((r) => r.stop()));
    await Promise.all([api.api.close(), side.close()]);
  });

  it('recovers a lost terminal callback by polling, exactly once, and forgets the task', async () => {
    const task = await create();
    setStatus(task.taskId, 'succeed'); // Kling finished; its callback never came
    const r = reconciler();

    clock += FALLBACK - 1;
    expect(await r.tick()).toMatchObject({ taken: 0, polled: 0 });

    clock += 1;
    expect(await r.tick()).toMatchObject({ taken: 1, polled: 1, dispatched: 1, completed: 1, rescheduled: 0 });
    expect(side.calls).toHaveLength(1);
    expect(side.calls[0]).toMatchObject({ taskId: task.taskId, status: 'succeed', source: 'poll' });
    expect(side.calls[0]?.videos[0]?.url).toContain(task.taskId);

    clock += 24 * 3600_000;
    expect(await r.tick()).toMatchObject({ taken: 0 });
    expect(await store.takeDuePending(clock, 10, 1)).toEqual([]);

    // The lost callback turning up late is a duplicate, not a second call.
    expect(await side.deliver(api.callbackBody(task.taskId))).toBe(200);
    expect(side.calls).toHaveLength(1);
    expect(api.queries()).toHaveLength(1);
  });

  it('drops a task whose terminal callback arrived, without asking Kling', async () => {
    const task = await create();
    setStatus(task.taskId, 'succeed');
    expect(await side.deliver(api.callbackBody(task.taskId))).toBe(200);
    expect(side.calls).toHaveLength(1);

    clock += FALLBACK;
    expect(await reconciler().tick()).toMatchObject({ taken: 1, alreadyDone: 1, polled: 0, dispatched: 0 });
    expect(api.queries()).toHaveLength(0);
    expect(side.calls).toHaveLength(1);
    expect(await store.takeDuePending(clock + 10 * FALLBACK, 10, 1)).toEqual([]);
  });

  it('callback first, poll while its handler runs: one handler call', async () => {
    const task = await create('text-to-video/kling-3.0');
    setStatus(task.taskId, 'succeed');
    const hold = deferred();
    side.gate = hold.promise;
    const delivery = side.deliver(api.callbackBody(task.taskId));
    while (side.calls.length === 0) await sleep(2);

    clock += FALLBACK;
    const r = reconciler();
    // The poll finds the event in flight: nothing dispatched, the task is looked at again soon.
    expect(await r.tick()).toMatchObject({ polled: 1, dispatched: 0, completed: 0, rescheduled: 1 });
    hold.resolve();
    expect(await delivery).toBe(200);

    clock += BACKOFF;
    expect(await r.tick()).toMatchObject({ taken: 1, alreadyDone: 1, polled: 0 });
    expect(side.calls.map((e) => e.source)).toEqual(['callback']);
  });

  it('poll first, callback while its handler runs: one handler call', async () => {
    const task = await create();
    setStatus(task.taskId, 'failed');
    const hold = deferred();
    side.gate = hold.promise;
    clock += FALLBACK;
    const r = reconciler();
    const ticking = r.tick();
    while (side.calls.length === 0) await sleep(2);

    // Kling is told "in flight, retry later" and does; by then it is a duplicate.
    expect(await side.deliver(api.callbackBody(task.taskId))).toBe(409);
    hold.resolve();
    expect(await ticking).toMatchObject({ polled: 1, dispatched: 1, completed: 1 });
    expect(await side.deliver(api.callbackBody(task.taskId))).toBe(200);
    expect(side.calls.map((e) => [e.status, e.source])).toEqual([['failed', 'poll']]);
  });

  it('backs off exponentially while a task is still running, then finishes it', async () => {
    const task = await create('image-to-video/kling-3.0');
    setStatus(task.taskId, 'processing');
    const r = reconciler();
    clock += FALLBACK;
    expect(await r.tick()).toMatchObject({ polled: 1, dispatched: 1, rescheduled: 1 });
    expect(side.calls.map((e) => e.status)).toEqual(['processing']);

    for (const wait of [BACKOFF, 2 * BACKOFF, 4 * BACKOFF]) {
      clock += wait - 1;
      expect(await r.tick()).toMatchObject({ taken: 0 });
      clock += 1;
      // Same state again: a duplicate, not dispatched.
      expect(await r.tick()).toMatchObject({ taken: 1, polled: 1, dispatched: 0, rescheduled: 1 });
    }
    setStatus(task.taskId, 'succeed');
    clock += 8 * BACKOFF;
    expect(await r.tick()).toMatchObject({ polled: 1, dispatched: 1, completed: 1 });
    expect(side.calls.map((e) => e.status)).toEqual(['processing', 'succeed']);
    expect(api.polls.get(task.taskId)).toBe(5);
  });

  it('never waits longer than maxBackoffMs between polls', async () => {
    const task = await create();
    setStatus(task.taskId, 'processing');
    const r = reconciler({ maxBackoffMs: 15_000 });
    clock += FALLBACK;
    await r.tick(); // next in 10 s
    clock += BACKOFF;
    await r.tick(); // next in min(20 s, 15 s)
    clock += 15_000;
    expect(await r.tick()).toMatchObject({ polled: 1 });
    expect(api.polls.get(task.taskId)).toBe(3);
  });

  it('asks Kling for new-dialect tasks in one batched request and for legacy ones one by one', async () => {
    const created = await Promise.all([
      create('text-to-video/kling-3.0'),
      create('image-to-video/kling-3.0'),
      create('omni-video/kling-3.0-omni'),
      create('videos/text2video'),
      create('images/generations'),
    ]);
    for (const task of created) setStatus(task.taskId, 'succeed');
    clock += FALLBACK;
    expect(await reconciler().tick()).toMatchObject({ taken: 5, polled: 5, dispatched: 5, completed: 5 });

    const batched = api.queries().filter((r) => r.path === '/tasks');
    expect(batched).toHaveLength(1);
    expect(batched[0]?.query.get('task_ids')?.split(',').sort()).toEqual(
      created
        .slice(0, 3)
        .map((t) => t.taskId)
        .sort(),
    );
    expect(
      api
        .queries()
        .filter((r) => r.path.startsWith('/v1/'))
        .map((r) => r.path)
        .sort(),
    ).toEqual([`/v1/images/generations/${created[4]?.taskId}`, `/v1/videos/text2video/${created[3]?.taskId}`].sort());
    expect(new Set(side.calls.map((e) => e.taskId)).size).toBe(5);
  });

  it('backs off after a failed poll and gives up after maxAttempts', async () => {
    await create();
    api.failQueries = { status: 500, code: 5000 };
    const r = reconciler({ maxAttempts: 2 });
    clock += FALLBACK;
    expect(await r.tick()).toMatchObject({ polled: 1, failed: 1, rescheduled: 1, gaveUp: 0 });
    clock += BACKOFF;
    expect(await r.tick()).toMatchObject({ polled: 1, failed: 1, rescheduled: 0, gaveUp: 1 });
    clock += 24 * 3600_000;
    expect(await r.tick()).toMatchObject({ taken: 0 });
    expect(side.calls).toHaveLength(0);
  });

  it('keeps a task whose handler failed on a poll and runs the handler again on the next one', async () => {
    const task = await create();
    setStatus(task.taskId, 'succeed');
    side.failNext = 1;
    const r = reconciler();
    clock += FALLBACK;
    expect(await r.tick()).toMatchObject({ polled: 1, dispatched: 0, failed: 1, rescheduled: 1 });
    clock += BACKOFF;
    expect(await r.tick()).toMatchObject({ polled: 1, dispatched: 1, completed: 1 });
    expect(side.calls.map((e) => e.status)).toEqual(['succeed', 'succeed']);
  });

  it('does not poll a task younger than fallbackAfterMs, whatever dueAt it was stored with', async () => {
    await store.putPending({
      taskId: '1',
      product: 'videos/text2video',
      createdAt: clock,
      dueAt: clock,
      attempts: 0,
    });
    const r = reconciler();
    expect(await r.tick()).toMatchObject({ taken: 1, polled: 0, rescheduled: 1 });
    clock += FALLBACK - 1;
    expect(await r.tick()).toMatchObject({ taken: 0 });
    clock += 1;
    expect(await r.tick()).toMatchObject({ taken: 1, polled: 1 });
  });

  it('two reconcilers on one store never poll the same task at once', async () => {
    const created = await Promise.all(
      Array.from({ length: 30 }, (_, i) => create(i % 2 ? 'videos/text2video' : 'text-to-video/kling-3.0')),
    );
    for (const task of created) setStatus(task.taskId, 'succeed');
    api.queryDelayMs = 20;
    const other = await callbackSide(store);
    try {
      const a = reconciler({ concurrency: 3, batchSize: 4, maxTasksPerTick: 10 });
      const b = reconciler({ concurrency: 3, batchSize: 4, maxTasksPerTick: 10, receiver: other.receiver });
      clock += FALLBACK;
      const reports = await Promise.all([a.tick(), b.tick(), sleep(5).then(() => b.tick()), a.tick()]);
      // Keep going until every task is done, ticking both at once each round.
      for (let round = 0; round < 5; round++) reports.push(...(await Promise.all([a.tick(), b.tick()])));

      expect(api.overlaps).toBe(0);
      expect(created.map((t) => api.polls.get(t.taskId))).toEqual(created.map(() => 1));
      expect(side.calls.length + other.calls.length).toBe(30);
      expect(new Set([...side.calls, ...other.calls].map((e) => e.taskId)).size).toBe(30);
      expect(side.calls.length).toBeGreaterThan(0);
      expect(other.calls.length).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
  });

  it('ticks on its own after start(); stop() waits for the tick in flight', async () => {
    const task = await create();
    setStatus(task.taskId, 'succeed');
    clock += FALLBACK;
    const hold = deferred();
    side.gate = hold.promise;
    const r = reconciler({ intervalMs: 10 });
    r.start();
    expect(r.running).toBe(true);
    while (side.calls.length === 0) await sleep(2);

    let stopped = false;
    const stopping = r.stop().then(() => {
      stopped = true;
    });
    await sleep(30);
    expect(stopped).toBe(false);
    hold.resolve();
    await stopping;
    expect(r.running).toBe(false);
    expect(await store.takeDuePending(clock + 10 * FALLBACK, 10, 1)).toEqual([]);

    const queriesAfterStop = api.queries().length;
    await sleep(40);
    expect(api.queries()).toHaveLength(queriesAfterStop);
  });

  it('rejects invalid options', () => {
    expect(() => reconciler({ intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => reconciler({ concurrency: 1.5 })).toThrow(/concurrency/);
  });
});
