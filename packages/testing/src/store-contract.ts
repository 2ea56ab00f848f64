import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KlingPendingTask, KlingStore } from '@kling-webhooks/core';
import { afterEach, describe, expect, it } from 'vitest';

/** Options of `describeStoreContract`. */
export interface StoreContractOptions {
  /** Called after each test with the store it used. Default: `store.close()` when the store has one. */
  teardown?: (store: KlingStore) => Promise<void>;
}

/** Short enough to keep the suite fast, long enough for a real network round trip. */
const SHORT_MS = 150;
const LAPSE_WAIT_MS = 350;
const LONG_LEASE_MS = 10_000;
const TTL_MS = 60_000;

const key = (label: string): string => `contract-${randomUUID()}:${label}`;

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

/**
 * The behaviour every `KlingStore` must have, as a vitest suite: call it at the top level of a test file.
 * `makeStore` runs once per test, so a store on a shared backend should get its own namespace (e.g. a random key
 * prefix): the pending-task cases take every due task of the store they are given. Keys are random either way.
 *
 * @example
 * describeStoreContract('memoryStore', () => memoryStore());
 */
export function describeStoreContract(
  name: string,
  makeStore: () => KlingStore | Promise<KlingStore>,
  options: StoreContractOptions = {},
): void {
  describe(`KlingStore contract: ${name}`, () => {
    const opened: KlingStore[] = [];
    const open = async (): Promise<KlingStore> => {
      const store = await makeStore();
      opened.push(store);
      return store;
    };

    afterEach(async () => {
      for (const store of opened.splice(0)) {
        if (options.teardown) await options.teardown(store);
        else await store.close?.();
      }
    });

    const claimToken = async (store: KlingStore, k: string, leaseMs = LONG_LEASE_MS): Promise<string> => {
      const result = await store.claim(k, { leaseMs });
      if (result.state !== 'claimed') throw new Error(`expected to claim ${k}, got ${result.state}`);
      return result.token;
    };

    describe('claim, complete, release', () => {
      it('claims a fresh key with an owner token', async () => {
        const store = await open();
        const a = await store.claim(key('a'), { leaseMs: LONG_LEASE_MS });
        const b = await store.claim(key('b'), { leaseMs: LONG_LEASE_MS });
        expect(a.state).toBe('claimed');
        expect(b.state).toBe('claimed');
        if (a.state !== 'claimed' || b.state !== 'claimed') return;
        expect(a.token).toEqual(expect.any(String));
        expect(a.token.length).toBeGreaterThan(0);
        expect(a.token).not.toBe(b.token);
      });

      it('answers in-flight to a second claim, with the remaining lease as retryAfterMs', async () => {
        const store = await open();
        const k = key('in-flight');
        await claimToken(store, k);
        const second = await store.claim(k, { leaseMs: LONG_LEASE_MS });
        expect(second.state).toBe('in-flight');
        if (second.state !== 'in-flight') return;
        expect(second.retryAfterMs).toBeGreaterThan(0);
        expect(second.retryAfterMs).toBeLessThanOrEqual(LONG_LEASE_MS);
      });

      it('answers done to every claim after complete', async () => {
        const store = await open();
        const k = key('done');
        const token = await claimToken(store, k);
        expect(await store.complete(k, token, { ttlMs: TTL_MS })).toBe(true);
        expect(await store.claim(k, { leaseMs: LONG_LEASE_MS })).toEqual({ state: 'done' });
        expect(await store.claim(k, { leaseMs: LONG_LEASE_MS })).toEqual({ state: 'done' });
      });

      it('lets a released key be claimed again, with a new token', async () => {
        const store = await open();
        const k = key('release');
        const first = await claimToken(store, k);
        expect(await store.release(k, first)).toBe(true);
        const second = await claimToken(store, k);
        expect(second).not.toBe(first);
      });

      it('ignores complete and release with a wrong token', async () => {
        const store = await open();
        const k = key('wrong-token');
        const token = await claimToken(store, k);
        expect(await store.complete(k, 'not-the-token', { ttlMs: TTL_MS })).toBe(false);
        expect(await store.release(k, 'not-the-token')).toBe(false);
        expect((await store.claim(k, { leaseMs: LONG_LEASE_MS })).state).toBe('in-flight');
        expect(await store.complete(k, token, { ttlMs: TTL_MS })).toBe(true);
        expect((await store.claim(k, { leaseMs: LONG_LEASE_MS })).state).toBe('done');
      });

      it('refuses complete and release for a key nobody claimed', async () => {
        const store = await open();
        const k = key('unclaimed');
        expect(await store.complete(k, 'any', { ttlMs: TTL_MS })).toBe(false);
        expect(await store.release(k, 'any')).toBe(false);
        expect((await store.claim(k, { leaseMs: LONG_LEASE_MS })).state).toBe('claimed');
      });

      it('hands a lapsed lease to another claimer; the first owner can then neither complete nor release', async () => {
        const store = await open();
        const k = key('lapsed');
        const first = await claimToken(store, k, SHORT_MS);
        await sleep(LAPSE_WAIT_MS);
        const second = await claimToken(store, k);
        expect(second).not.toBe(first);
        expect(await store.complete(k, first, { ttlMs: TTL_MS })).toBe(false);
        expect(await store.release(k, first)).toBe(false);
        expect((await store.claim(k, { leaseMs: LONG_LEASE_MS })).state).toBe('in-flight');
        expect(await store.complete(k, second, { ttlMs: TTL_MS })).toBe(true);
      });

      it('answers superseded when the supersededBy key is done, without leasing the key', async () => {
        const store = await open();
        const terminal = key('succeed');
        const late = key('processing');
        expect((await store.claim(late, { leaseMs: LONG_LEASE_MS, supersededBy: terminal })).state).toBe('claimed');
        const other = key('processing');
        await store.complete(terminal, await claimToken(store, terminal), { ttlMs: TTL_MS });
        expect(await store.claim(other, { leaseMs: LONG_LEASE_MS, supersededBy: terminal })).toEqual({
          state: 'superseded',
        });
        expect((await store.claim(other, { leaseMs: LONG_LEASE_MS })).state).toBe('claimed');
      });

      it('marks the mark key done on complete', async () => {
        const store = await open();
        const k = key('succeed');
        const mark = key('terminal');
        const token = await claimToken(store, k);
        expect(await store.complete(k, token, { ttlMs: TTL_MS, mark })).toBe(true);
        expect(await store.claim(mark, { leaseMs: LONG_LEASE_MS })).toEqual({ state: 'done' });
        expect(await store.claim(key('processing'), { leaseMs: LONG_LEASE_MS, supersededBy: mark })).toEqual({
          state: 'superseded',
        });
      });

      it('forgets a done key after its ttl', async () => {
        const store = await open();
        const k = key('ttl');
        await store.complete(k, await claimToken(store, k), { ttlMs: SHORT_MS });
        expect((await store.claim(k, { leaseMs: LONG_LEASE_MS })).state).toBe('done');
        await sleep(LAPSE_WAIT_MS);
        expect((await store.claim(k, { leaseMs: LONG_LEASE_MS })).state).toBe('claimed');
      });

      it('gives one lease to exactly one of 50 concurrent claims', async () => {
        const store = await open();
        const k = key('race');
        const results = await Promise.all(Array.from({ length: 50 }, () => store.claim(k, { leaseMs: LONG_LEASE_MS })));
        expect(results.filter((r) => r.state === 'claimed')).toHaveLength(1);
        expect(results.filter((r) => r.state === 'in-flight')).toHaveLength(49);
      });

      it('keeps keys independent', async () => {
        const store = await open();
        const a = key('a');
        const b = key('b');
        const tokenA = await claimToken(store, a);
        const tokenB = await claimToken(store, b);
        expect(await store.complete(a, tokenB, { ttlMs: TTL_MS })).toBe(false);
        expect(await store.complete(a, tokenA, { ttlMs: TTL_MS })).toBe(true);
        expect((await store.claim(b, { leaseMs: LONG_LEASE_MS })).state).toBe('in-flight');
        expect(await store.release(b, tokenB)).toBe(true);
        expect((await store.claim(a, { leaseMs: LONG_LEASE_MS })).state).toBe('done');
        expect((await store.claim(b, { leaseMs: LONG_LEASE_MS })).state).toBe('claimed');
      });
    });

    describe('pending tasks', () => {
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
        expect(await store.takeDuePending(now + 60_000, 10, lease)).toEqual([
          { ...second, dueAt: now + 60_000 + lease },
        ]);
      });
    });
  });
}
