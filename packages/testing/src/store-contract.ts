import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  KlingDedupeStore,
  KlingEventRef,
  KlingPendingTask,
  KlingPendingTasks,
  KlingStore,
  KlingTaskPairings,
} from '@kling-webhooks/core';
import { afterEach, describe, expect, it } from 'vitest';

/** Options of the contract suites. */
export interface StoreContractOptions<S> {
  /** Called after each test with the store it used. Default: `store.close()` when the store has one. */
  teardown?: (store: S) => Promise<void>;
}

/** Short enough to keep the suite fast, long enough for a real network round trip. */
const SHORT_MS = 150;
const LAPSE_WAIT_MS = 350;
const LONG_LEASE_MS = 10_000;
const TTL_MS = 60_000;
const CLAIM = { leaseMs: LONG_LEASE_MS, ttlMs: TTL_MS };
const DONE_TTL = { ttlMs: TTL_MS };

/** A fresh task id per call: cases never see each other's keys, even on a shared backend. */
const newTask = (): string => `contract-${randomUUID()}`;
const ev = (taskId: string, status: string, terminal = status === 'succeed' || status === 'failed'): KlingEventRef => ({
  taskId,
  status,
  terminal,
});

function task(overrides: Partial<KlingPendingTask> & { dueAt: number }): KlingPendingTask {
  return {
    taskId: `task-${randomUUID()}`,
    product: 'videos/text2video',
    externalTaskId: `ext-${randomUUID()}`,
    createdAt: overrides.dueAt - 60_000,
    attempts: 0,
    ...overrides,
  };
}

/** Opens a store per test and tears each one down after it. */
function opener<S extends { close?(): Promise<void> }>(
  makeStore: () => S | Promise<S>,
  options: StoreContractOptions<S>,
): () => Promise<S> {
  const opened: S[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) {
      if (options.teardown) await options.teardown(store);
      else await store.close?.();
    }
  });
  return async () => {
    const store = await makeStore();
    opened.push(store);
    return store;
  };
}

async function claimToken(store: KlingDedupeStore, event: KlingEventRef, leaseMs = LONG_LEASE_MS): Promise<string> {
  const result = await store.claim(event, { leaseMs, ttlMs: TTL_MS });
  if (result.state !== 'claimed') throw new Error(`expected to claim ${event.status}, got ${result.state}`);
  return result.token;
}

/**
 * The behaviour every `KlingDedupeStore` must have (what the receiver relies on), as a vitest suite: call it at the
 * top level of a test file. `makeStore` runs once per test; task ids are random, so a shared backend needs no
 * namespace of its own.
 *
 * @example
 * describeDedupeStoreContract('memoryStore', () => memoryStore());
 */
export function describeDedupeStoreContract<S extends KlingDedupeStore>(
  name: string,
  makeStore: () => S | Promise<S>,
  options: StoreContractOptions<S> = {},
): void {
  describe(`KlingDedupeStore contract: ${name}`, () => {
    const open = opener(makeStore, options);

    it('claims a fresh event with an owner token', async () => {
      const store = await open();
      const a = await store.claim(ev(newTask(), 'processing'), CLAIM);
      const b = await store.claim(ev(newTask(), 'processing'), CLAIM);
      expect(a.state).toBe('claimed');
      expect(b.state).toBe('claimed');
      if (a.state !== 'claimed' || b.state !== 'claimed') return;
      expect(a.token).toEqual(expect.any(String));
      expect(a.token.length).toBeGreaterThan(0);
      expect(a.token).not.toBe(b.token);
    });

    it('answers in-flight to a second claim, with the remaining lease as retryAfterMs', async () => {
      const store = await open();
      const e = ev(newTask(), 'processing');
      await claimToken(store, e);
      const second = await store.claim(e, CLAIM);
      expect(second.state).toBe('in-flight');
      if (second.state !== 'in-flight') return;
      expect(second.retryAfterMs).toBeGreaterThan(0);
      expect(second.retryAfterMs).toBeLessThanOrEqual(LONG_LEASE_MS);
    });

    it('answers done to every claim after complete', async () => {
      const store = await open();
      const e = ev(newTask(), 'processing');
      const token = await claimToken(store, e);
      expect(await store.complete(e, token, DONE_TTL)).toBe(true);
      expect(await store.claim(e, CLAIM)).toEqual({ state: 'done' });
      expect(await store.claim(e, CLAIM)).toEqual({ state: 'done' });
    });

    it('lets a released event be claimed again, with a new token', async () => {
      const store = await open();
      const e = ev(newTask(), 'processing');
      const first = await claimToken(store, e);
      expect(await store.release(e, first)).toBe(true);
      const second = await claimToken(store, e);
      expect(second).not.toBe(first);
    });

    it('ignores complete and release with a wrong token', async () => {
      const store = await open();
      const e = ev(newTask(), 'processing');
      const token = await claimToken(store, e);
      expect(await store.complete(e, 'not-the-token', DONE_TTL)).toBe(false);
      expect(await store.release(e, 'not-the-token')).toBe(false);
      expect((await store.claim(e, CLAIM)).state).toBe('in-flight');
      expect(await store.complete(e, token, DONE_TTL)).toBe(true);
      expect((await store.claim(e, CLAIM)).state).toBe('done');
    });

    it('refuses complete and release for an event nobody claimed', async () => {
      const store = await open();
      const e = ev(newTask(), 'processing');
      expect(await store.complete(e, 'any', DONE_TTL)).toBe(false);
      expect(await store.release(e, 'any')).toBe(false);
      expect((await store.claim(e, CLAIM)).state).toBe('claimed');
    });

    it('hands a lapsed lease to another claimer; the first owner can then neither complete nor release', async () => {
      const store = await open();
      const e = ev(newTask(), 'processing');
      const first = await claimToken(store, e, SHORT_MS);
      await sleep(LAPSE_WAIT_MS);
      const second = await claimToken(store, e);
      expect(second).not.toBe(first);
      expect(await store.complete(e, first, DONE_TTL)).toBe(false);
      expect(await store.release(e, first)).toBe(false);
      expect((await store.claim(e, CLAIM)).state).toBe('in-flight');
      expect(await store.complete(e, second, DONE_TTL)).toBe(true);
    });

    it('answers superseded to a non-terminal event once the task ended, without leasing it', async () => {
      const store = await open();
      const id = newTask();
      const early = ev(id, 'processing');
      expect((await store.claim(early, CLAIM)).state).toBe('claimed');
      const end = ev(id, 'succeed');
      expect(await store.complete(end, await claimToken(store, end), DONE_TTL)).toBe(true);
      expect(await store.claim(ev(id, 'submitted'), CLAIM)).toEqual({ state: 'superseded' });
      expect(await store.claim(ev(id, 'submitted'), CLAIM)).toEqual({ state: 'superseded' });
      // Other tasks are untouched.
      expect((await store.claim(ev(newTask(), 'submitted'), CLAIM)).state).toBe('claimed');
    });

    it('supersedes every other state of the task from the moment a terminal state is claimed', async () => {
      const store = await open();
      const id = newTask();
      const end = ev(id, 'succeed');
      const token = await claimToken(store, end);
      // The terminal handler is still running (the 202 case): nothing else of the task is dispatched.
      expect(await store.claim(ev(id, 'processing'), CLAIM)).toEqual({ state: 'superseded' });
      expect(await store.claim(ev(id, 'failed'), CLAIM)).toEqual({ state: 'superseded' });
      expect((await store.claim(end, CLAIM)).state).toBe('in-flight');
      expect(await store.complete(end, token, DONE_TTL)).toBe(true);
      expect(await store.claim(ev(id, 'processing'), CLAIM)).toEqual({ state: 'superseded' });
      expect(await store.claim(ev(id, 'failed'), CLAIM)).toEqual({ state: 'superseded' });
      expect(await store.claim(end, CLAIM)).toEqual({ state: 'done' });
    });

    it('opens the task again when its terminal claim is released (the handler failed)', async () => {
      const store = await open();
      const id = newTask();
      const end = ev(id, 'failed');
      expect(await store.release(end, await claimToken(store, end))).toBe(true);
      expect((await store.claim(ev(id, 'processing'), CLAIM)).state).toBe('claimed');
      const again = await claimToken(store, end);
      expect(await store.complete(end, again, DONE_TTL)).toBe(true);
      expect(await store.isTaskDone(id)).toBe(true);
    });

    it('completes a claim whose lease lapsed when nobody took it over; a redelivery is then a duplicate', async () => {
      const store = await open();
      for (const e of [ev(newTask(), 'processing'), ev(newTask(), 'succeed')]) {
        const token = await claimToken(store, e, SHORT_MS);
        await sleep(LAPSE_WAIT_MS); // the handler outlives its lease
        expect(await store.complete(e, token, DONE_TTL)).toBe(true);
        expect(await store.claim(e, CLAIM)).toEqual({ state: 'done' });
      }
    });

    it('lets a takeover of a lapsed terminal claim hold the task; the first owner can no longer release it', async () => {
      const store = await open();
      const id = newTask();
      const end = ev(id, 'succeed');
      const first = await claimToken(store, end, SHORT_MS);
      await sleep(LAPSE_WAIT_MS);
      const second = await claimToken(store, end);
      expect(await store.release(end, first)).toBe(false);
      expect(await store.claim(ev(id, 'processing'), CLAIM)).toEqual({ state: 'superseded' });
      expect(await store.complete(end, first, DONE_TTL)).toBe(false);
      expect(await store.complete(end, second, DONE_TTL)).toBe(true);
      expect(await store.isTaskDone(id)).toBe(true);
    });

    it('answers isTaskDone once a terminal event of the task was completed, and only then', async () => {
      const store = await open();
      const id = newTask();
      expect(await store.isTaskDone(id)).toBe(false);
      const processing = ev(id, 'processing');
      await store.complete(processing, await claimToken(store, processing), DONE_TTL);
      expect(await store.isTaskDone(id)).toBe(false);
      const end = ev(id, 'failed');
      const token = await claimToken(store, end);
      expect(await store.release(end, token)).toBe(true);
      expect(await store.isTaskDone(id)).toBe(false);
      await store.complete(end, await claimToken(store, end), DONE_TTL);
      expect(await store.isTaskDone(id)).toBe(true);
      expect(await store.isTaskDone(newTask())).toBe(false);
    });

    it('forgets a done event after its ttl', async () => {
      const store = await open();
      const e = ev(newTask(), 'processing');
      await store.complete(e, await claimToken(store, e), { ttlMs: SHORT_MS });
      expect((await store.claim(e, CLAIM)).state).toBe('done');
      await sleep(LAPSE_WAIT_MS);
      expect((await store.claim(e, CLAIM)).state).toBe('claimed');
    });

    it('gives one lease to exactly one of 50 concurrent claims', async () => {
      const store = await open();
      const e = ev(newTask(), 'succeed');
      const results = await Promise.all(Array.from({ length: 50 }, () => store.claim(e, CLAIM)));
      expect(results.filter((r) => r.state === 'claimed')).toHaveLength(1);
      expect(results.filter((r) => r.state === 'in-flight')).toHaveLength(49);
    });

    it('keeps events independent', async () => {
      const store = await open();
      const a = ev(newTask(), 'processing');
      const b = ev(newTask(), 'processing');
      const tokenA = await claimToken(store, a);
      const tokenB = await claimToken(store, b);
      expect(await store.complete(a, tokenB, DONE_TTL)).toBe(false);
      expect(await store.complete(a, tokenA, DONE_TTL)).toBe(true);
      expect((await store.claim(b, CLAIM)).state).toBe('in-flight');
      expect(await store.release(b, tokenB)).toBe(true);
      expect((await store.claim(a, CLAIM)).state).toBe('done');
      expect((await store.claim(b, CLAIM)).state).toBe('claimed');
    });

    it('keeps events whose ids and statuses contain key syntax apart', async () => {
      const store = await open();
      const base = newTask();
      const a = ev(base, 'B:succeed', false);
      const b = ev(`${base}:B`, 'succeed');
      const c = ev(base, 'terminal', false);
      for (const e of [a, c]) await store.complete(e, await claimToken(store, e), DONE_TTL);
      expect((await store.claim(b, CLAIM)).state).toBe('claimed');
      expect(await store.isTaskDone(base)).toBe(false);
      expect((await store.claim(ev(base, 'processing'), CLAIM)).state).toBe('claimed');
    });
  });
}

/**
 * The behaviour every `KlingPendingTasks` must have (what the client and the reconciler rely on). `makeStore` runs
 * once per test and must give each test its own namespace on a shared backend (e.g. a random key prefix): the cases
 * take every due task of the store they are given.
 *
 * @example
 * describePendingTasksContract('memoryStore', () => memoryStore());
 */
export function describePendingTasksContract<S extends KlingPendingTasks>(
  name: string,
  makeStore: () => S | Promise<S>,
  options: StoreContractOptions<S> = {},
): void {
  describe(`KlingPendingTasks contract: ${name}`, () => {
    const open = opener(makeStore, options);
    const now = 1_800_000_000_000;
    const lease = 30_000;

    it('takes due tasks, earliest first, with dueAt pushed to now + leaseMs', async () => {
      const store = await open();
      const later = task({ dueAt: now - 1_000, attempts: 2 });
      const earlier = task({ dueAt: now - 5_000 });
      await store.putPending(later);
      await store.putPending(earlier);
      const taken = await store.takeDuePending(now, 10, lease);
      expect(taken).toEqual([
        { ...earlier, dueAt: now + lease },
        { ...later, dueAt: now + lease },
      ]);
    });

    it('takes at most limit tasks', async () => {
      const store = await open();
      const tasks = [5, 4, 3, 2, 1].map((n) => task({ dueAt: now - n * 1_000 }));
      for (const t of tasks) await store.putPending(t);
      const taken = await store.takeDuePending(now, 2, lease);
      expect(taken.map((t) => t.taskId)).toEqual([tasks[0]?.taskId, tasks[1]?.taskId]);
    });

    it('counts pending tasks (pendingStats, when the store has it), and knows the oldest when it tells', async () => {
      const store = await open();
      if (store.pendingStats === undefined) return;
      expect((await store.pendingStats()).count).toBe(0);
      const old = task({ createdAt: now - 90_000, dueAt: now + 60_000 });
      const young = task({ createdAt: now - 1_000, dueAt: now - 1 });
      await store.putPending(young);
      await store.putPending(old);
      const stats = await store.pendingStats();
      expect(stats.count).toBe(2);
      if (stats.oldestCreatedAt !== undefined) expect(stats.oldestCreatedAt).toBe(old.createdAt);
      await store.deletePending(old.taskId);
      expect((await store.pendingStats()).count).toBe(1);
    });

    it('does not take a task before its dueAt', async () => {
      const store = await open();
      const future = task({ dueAt: now + 60_000 });
      await store.putPending(future);
      expect(await store.takeDuePending(now, 10, lease)).toEqual([]);
      expect((await store.takeDuePending(now + 60_000, 10, lease)).map((t) => t.taskId)).toEqual([future.taskId]);
    });

    it('does not hand a taken task out again before its new dueAt', async () => {
      const store = await open();
      const t = task({ dueAt: now - 1 });
      await store.putPending(t);
      expect(await store.takeDuePending(now, 10, lease)).toHaveLength(1);
      expect(await store.takeDuePending(now + lease - 1, 10, lease)).toEqual([]);
      expect((await store.takeDuePending(now + lease, 10, lease)).map((x) => x.taskId)).toEqual([t.taskId]);
    });

    it('gives concurrent takers disjoint tasks', async () => {
      const store = await open();
      const tasks = Array.from({ length: 20 }, (_, i) => task({ dueAt: now - i - 1 }));
      for (const t of tasks) await store.putPending(t);
      const batches = await Promise.all(Array.from({ length: 4 }, () => store.takeDuePending(now, 8, lease)));
      const ids = batches.flat().map((t) => t.taskId);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
    });

    it('forgets a deleted task', async () => {
      const store = await open();
      const kept = task({ dueAt: now - 1 });
      const deleted = task({ dueAt: now - 2 });
      await store.putPending(kept);
      await store.putPending(deleted);
      await store.deletePending(deleted.taskId);
      expect((await store.takeDuePending(now, 10, lease)).map((t) => t.taskId)).toEqual([kept.taskId]);
    });

    it('replaces a task put again under the same id', async () => {
      const store = await open();
      const first = task({ dueAt: now - 1 });
      const second = { ...first, dueAt: now + 60_000, attempts: 3 };
      await store.putPending(first);
      await store.putPending(second);
      expect(await store.takeDuePending(now, 10, lease)).toEqual([]);
      expect(await store.takeDuePending(now + 60_000, 10, lease)).toEqual([{ ...second, dueAt: now + 60_000 + lease }]);
    });
  });
}

/**
 * The behaviour every `KlingTaskPairings` must have (what the client writes and the receiver reads to tie a callback
 * token bound to an external id to one task). External ids are random, so a shared backend needs no namespace.
 *
 * @example
 * describeTaskPairingsContract('memoryStore', () => memoryStore());
 */
export function describeTaskPairingsContract<S extends KlingTaskPairings & { close?(): Promise<void> }>(
  name: string,
  makeStore: () => S | Promise<S>,
  options: StoreContractOptions<S> = {},
): void {
  describe(`KlingTaskPairings contract: ${name}`, () => {
    const open = opener(makeStore, options);
    const ext = (): string => `ext-${randomUUID()}`;

    it('knows no task for an external id nobody paired', async () => {
      const store = await open();
      expect(await store.pairedTaskId(ext())).toBeUndefined();
    });

    it('answers the task paired with an external id, and the latest pairing when paired again', async () => {
      const store = await open();
      const a = ext();
      const b = ext();
      await store.pairTask(a, '842250903629086785', TTL_MS);
      await store.pairTask(b, '842250903629086786', TTL_MS);
      expect(await store.pairedTaskId(a)).toBe('842250903629086785');
      expect(await store.pairedTaskId(b)).toBe('842250903629086786');
      await store.pairTask(a, '842250903629086787', TTL_MS);
      expect(await store.pairedTaskId(a)).toBe('842250903629086787');
    });

    it('keeps external ids containing key syntax apart', async () => {
      const store = await open();
      const base = ext();
      await store.pairTask(`${base}:x`, 'one', TTL_MS);
      await store.pairTask(`${base}%3Ax`, 'two', TTL_MS);
      await store.pairTask(`{${base}}`, 'three', TTL_MS);
      expect(await store.pairedTaskId(`${base}:x`)).toBe('one');
      expect(await store.pairedTaskId(`${base}%3Ax`)).toBe('two');
      expect(await store.pairedTaskId(`{${base}}`)).toBe('three');
      expect(await store.pairedTaskId(base)).toBeUndefined();
    });

    it('forgets a pairing after its ttl', async () => {
      const store = await open();
      const a = ext();
      await store.pairTask(a, 'task', SHORT_MS);
      expect(await store.pairedTaskId(a)).toBe('task');
      await sleep(LAPSE_WAIT_MS);
      expect(await store.pairedTaskId(a)).toBeUndefined();
    });
  });
}

/**
 * Every part's suite for a store that has them all (what `memoryStore` and `redisStore` return): the dedupe,
 * pending-task and task-pairing suites. `makeStore` runs once per test; on a shared backend give each its own namespace.
 *
 * @example
 * describeStoreContract('memoryStore', () => memoryStore());
 */
export function describeStoreContract(
  name: string,
  makeStore: () => KlingStore | Promise<KlingStore>,
  options: StoreContractOptions<KlingStore> = {},
): void {
  describeDedupeStoreContract(name, makeStore, options);
  describePendingTasksContract(name, makeStore, options);
  describeTaskPairingsContract(name, makeStore, options);
}
