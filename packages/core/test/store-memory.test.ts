import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { KlingConfigError } from '../src/errors.js';
import { memoryStore } from '../src/store/memory.js';
import type { KlingEventRef, KlingStore } from '../src/store/types.js';

const LEASE = { leaseMs: 60_000, ttlMs: 60_000 };
/** A non-terminal event of task `id`: one dedupe entry per call. */
const k = (id: string): KlingEventRef => ({ taskId: id, status: 'processing', terminal: false });

function clock(start = 1_000_000) {
  const state = { t: start };
  return { state, now: () => state.t };
}

async function completeNew(store: KlingStore, key: string, ttlMs = 60_000): Promise<void> {
  const claim = await store.claim(k(key), LEASE);
  if (claim.state !== 'claimed') throw new Error(`could not claim ${key}`);
  await store.complete(k(key), claim.token, { ttlMs });
}

describe('memoryStore bounds', () => {
  it('never holds more than maxEntries keys, dropping the oldest first', async () => {
    const store = memoryStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) await completeNew(store, key);
    expect((await store.claim(k('c'), LEASE)).state).toBe('done');
    expect((await store.claim(k('d'), LEASE)).state).toBe('done');
    expect((await store.claim(k('e'), LEASE)).state).toBe('done');
    expect((await store.claim(k('a'), LEASE)).state).toBe('claimed');
  });

  it('drops done keys before live leases', async () => {
    const store = memoryStore({ maxEntries: 3 });
    const lease = await store.claim(k('lease'), LEASE);
    await completeNew(store, 'old');
    await completeNew(store, 'new');
    await completeNew(store, 'newest');
    expect((await store.claim(k('lease'), LEASE)).state).toBe('in-flight');
    expect((await store.claim(k('new'), LEASE)).state).toBe('done');
    expect(lease.state).toBe('claimed');
    // 'old' was the one dropped (checked last: claiming it evicts again).
    expect((await store.claim(k('old'), LEASE)).state).toBe('claimed');
  });

  it('counts a completed key as written when it completes, not when it was claimed', async () => {
    const store = memoryStore({ maxEntries: 3 });
    const first = await store.claim(k('first'), LEASE);
    await completeNew(store, 'second');
    if (first.state !== 'claimed') throw new Error('not claimed');
    await store.complete(k('first'), first.token, { ttlMs: 60_000 });
    await completeNew(store, 'third');
    await completeNew(store, 'fourth');
    expect((await store.claim(k('first'), LEASE)).state).toBe('done');
    expect((await store.claim(k('second'), LEASE)).state).toBe('claimed');
  });

  it('keeps write order when the oldest key expires and is written again', async () => {
    const { state, now } = clock();
    const store = memoryStore({ maxEntries: 3, now });
    await completeNew(store, 'a', 10);
    await completeNew(store, 'b');
    await completeNew(store, 'c');
    state.t += 20;
    // 'a' (the oldest) expired: claimed and completed again, it becomes the newest.
    await completeNew(store, 'a');
    await completeNew(store, 'd');
    expect((await store.claim(k('a'), LEASE)).state).toBe('done');
    expect((await store.claim(k('c'), LEASE)).state).toBe('done');
    expect((await store.claim(k('d'), LEASE)).state).toBe('done');
    expect((await store.claim(k('b'), LEASE)).state).toBe('claimed');
  });

  it('evicts in write order through many rounds of eviction', async () => {
    const store = memoryStore({ maxEntries: 10 });
    for (let i = 0; i < 5_000; i++) await completeNew(store, `k${i}`);
    for (let i = 4_990; i < 5_000; i++) expect((await store.claim(k(`k${i}`), LEASE)).state).toBe('done');
    expect((await store.claim(k('k4989'), LEASE)).state).toBe('claimed');
  });

  it('keeps write order while the store grows through many sizes, then evicts the oldest first', async () => {
    // The store restarts its write-order cursor as it grows (past 9, 17, … 1025 keys): order must survive that,
    // including after the head expired and was swept mid-growth.
    const { state, now } = clock();
    const store = memoryStore({ maxEntries: 1_030, now });
    await completeNew(store, 'short', 10);
    state.t += 20;
    for (let i = 0; i < 1_030; i++) await completeNew(store, `k${i}`);
    // 'short' expired and was swept; the store is full with k0…k1029. Five more evict k0…k4.
    for (let i = 1_030; i < 1_035; i++) await completeNew(store, `k${i}`);
    for (const key of ['k5', 'k6', 'k1029', 'k1034']) expect((await store.claim(k(key), LEASE)).state).toBe('done');
    expect((await store.claim(k('k4'), LEASE)).state).toBe('claimed');
    expect((await store.claim(k('short'), LEASE)).state).toBe('claimed');
  });

  it('keeps at most maxPending pending tasks, dropping the one written longest ago', async () => {
    const store = memoryStore({ maxPending: 2 });
    const task = (taskId: string) => ({ taskId, product: 'videos/text2video', createdAt: 0, dueAt: 0, attempts: 0 });
    await store.putPending(task('a'));
    await store.putPending(task('b'));
    await store.putPending(task('a'));
    await store.putPending(task('c'));
    const taken = await store.takeDuePending(1, 10, 1_000);
    expect(taken.map((t) => t.taskId).sort()).toEqual(['a', 'c']);
  });

  it('rejects a bound that is not a positive integer', () => {
    expect(() => memoryStore({ maxEntries: 0 })).toThrow(KlingConfigError);
    expect(() => memoryStore({ maxPending: 1.5 })).toThrow(KlingConfigError);
    expect(() => memoryStore({ ttlMs: -1 })).toThrow(KlingConfigError);
  });
});

describe('memoryStore expiry (injected clock)', () => {
  it('forgets a done key exactly when its ttl ends', async () => {
    const { state, now } = clock();
    const store = memoryStore({ now });
    await completeNew(store, 'k', 1_000);
    state.t += 999;
    expect((await store.claim(k('k'), LEASE)).state).toBe('done');
    state.t += 1;
    expect((await store.claim(k('k'), LEASE)).state).toBe('claimed');
  });

  it('lets a lease lapse exactly at leaseMs and reports the time left before that', async () => {
    const { state, now } = clock();
    const store = memoryStore({ now });
    const first = await store.claim(k('k'), { leaseMs: 500, ttlMs: 500 });
    state.t += 200;
    expect(await store.claim(k('k'), { leaseMs: 500, ttlMs: 500 })).toEqual({ state: 'in-flight', retryAfterMs: 300 });
    state.t += 300;
    const second = await store.claim(k('k'), { leaseMs: 500, ttlMs: 500 });
    expect(second.state).toBe('claimed');
    if (first.state !== 'claimed') throw new Error('not claimed');
    expect(await store.complete(k('k'), first.token, { ttlMs: 1_000 })).toBe(false);
  });

  it('caps how long a done key is kept at ttlMs', async () => {
    const { state, now } = clock();
    const store = memoryStore({ now, ttlMs: 100 });
    await completeNew(store, 'k', 60_000);
    state.t += 99;
    expect((await store.claim(k('k'), LEASE)).state).toBe('done');
    state.t += 1;
    expect((await store.claim(k('k'), LEASE)).state).toBe('claimed');
  });
});

/** An event of task `id` in `status` (terminal for `succeed` and `failed`). */
const ev = (id: string, status: string): KlingEventRef => ({
  taskId: id,
  status,
  terminal: status === 'succeed' || status === 'failed',
});

async function claimed(store: KlingStore, event: KlingEventRef, options = LEASE): Promise<string> {
  const claim = await store.claim(event, options);
  if (claim.state !== 'claimed') throw new Error(`could not claim ${event.taskId}:${event.status}: ${claim.state}`);
  return claim.token;
}

describe('memoryStore task records (all states of a task in one record)', () => {
  it('keeps many states of one task apart, each claimed, completed and released on its own', async () => {
    const store = memoryStore();
    const statuses = ['submitted', 'processing', 'queued', 'rendering', 'x:y', 'processing-2'];
    const tokens = new Map<string, string>();
    for (const status of statuses) tokens.set(status, await claimed(store, ev('t', status)));
    for (const status of statuses) expect((await store.claim(ev('t', status), LEASE)).state).toBe('in-flight');
    // Done in a different order than claimed; one released.
    for (const status of ['x:y', 'submitted', 'processing-2', 'rendering']) {
      expect(await store.complete(ev('t', status), tokens.get(status) as string, { ttlMs: 60_000 })).toBe(true);
    }
    expect(await store.release(ev('t', 'queued'), tokens.get('queued') as string)).toBe(true);
    expect(await store.complete(ev('t', 'queued'), tokens.get('queued') as string, { ttlMs: 60_000 })).toBe(false);
    for (const status of ['x:y', 'submitted', 'processing-2', 'rendering']) {
      expect((await store.claim(ev('t', status), LEASE)).state).toBe('done');
    }
    expect((await store.claim(ev('t', 'processing'), LEASE)).state).toBe('in-flight');
    expect((await store.claim(ev('t', 'queued'), LEASE)).state).toBe('claimed');
    expect(await store.isTaskDone('t')).toBe(false);
    // A terminal claim now supersedes every other state at once, done or not; completing it ends the task.
    const end = await claimed(store, ev('t', 'succeed'));
    expect((await store.claim(ev('t', 'new-state'), LEASE)).state).toBe('superseded');
    expect((await store.claim(ev('t', 'failed'), LEASE)).state).toBe('superseded');
    expect(await store.complete(ev('t', 'succeed'), end, { ttlMs: 60_000 })).toBe(true);
    expect(await store.isTaskDone('t')).toBe(true);
    // A claim taken before the task ended can still be completed by its owner.
    expect(await store.complete(ev('t', 'processing'), tokens.get('processing') as string, { ttlMs: 60_000 })).toBe(
      true,
    );
    expect((await store.claim(ev('t', 'processing'), LEASE)).state).toBe('done');
    expect((await store.claim(ev('t', 'submitted'), LEASE)).state).toBe('done');
    expect((await store.claim(ev('t', 'other'), LEASE)).state).toBe('superseded');
    expect((await store.claim(ev('other-task', 'processing'), LEASE)).state).toBe('claimed');
  });

  it('counts every state of a task against maxEntries and drops the oldest task whole', async () => {
    const store = memoryStore({ maxEntries: 4 });
    for (const status of ['submitted', 'processing', 'succeed']) {
      await store.complete(ev('a', status), await claimed(store, ev('a', status)), { ttlMs: 60_000 });
    }
    await completeNew(store, 'b');
    // Full (3 states of a + 1 of b): one more state drops task a with all its states, marker included.
    await completeNew(store, 'c');
    expect(await store.isTaskDone('a')).toBe(false);
    expect((await store.claim(ev('a', 'processing'), LEASE)).state).toBe('claimed');
    expect((await store.claim(k('b'), LEASE)).state).toBe('done');
    expect((await store.claim(k('c'), LEASE)).state).toBe('done');
  });

  it('evicts a task with a live claim only when no done task is left, and its owner then loses it', async () => {
    const store = memoryStore({ maxEntries: 2 });
    const first = await claimed(store, k('held-1'));
    const second = await claimed(store, k('held-2'));
    // Both entries are live claims: the next claim drops the one claimed longest ago.
    await claimed(store, k('held-3'));
    expect(await store.complete(k('held-1'), first, { ttlMs: 60_000 })).toBe(false);
    expect(await store.complete(k('held-2'), second, { ttlMs: 60_000 })).toBe(true);
    // Now 'held-2' is done and 'held-3' held: the done one goes first.
    await claimed(store, k('held-4'));
    expect((await store.claim(k('held-3'), LEASE)).state).toBe('in-flight');
    expect((await store.claim(k('held-2'), LEASE)).state).toBe('claimed');
  });

  it('drops a task that alone fills the store when it needs one more state', async () => {
    const store = memoryStore({ maxEntries: 1 });
    await store.complete(ev('t', 'processing'), await claimed(store, ev('t', 'processing')), { ttlMs: 60_000 });
    const end = await claimed(store, ev('t', 'succeed'));
    expect(await store.complete(ev('t', 'succeed'), end, { ttlMs: 60_000 })).toBe(true);
    expect(await store.isTaskDone('t')).toBe(true);
    expect((await store.claim(ev('t', 'succeed'), LEASE)).state).toBe('done');
    // 'processing' went when 'succeed' needed the room; the ended task supersedes it now.
    expect((await store.claim(ev('t', 'processing'), LEASE)).state).toBe('superseded');
  });

  it('expires each state of a task on its own TTL, and the terminal marker with its state', async () => {
    const { state, now } = clock();
    const store = memoryStore({ now });
    await store.complete(ev('t', 'submitted'), await claimed(store, ev('t', 'submitted')), { ttlMs: 100 });
    await store.complete(ev('t', 'processing'), await claimed(store, ev('t', 'processing')), { ttlMs: 1_000 });
    await store.complete(ev('t', 'succeed'), await claimed(store, ev('t', 'succeed')), { ttlMs: 500 });
    state.t += 100;
    // 'submitted' expired, but the task ended: superseded, not claimable.
    expect((await store.claim(ev('t', 'submitted'), LEASE)).state).toBe('superseded');
    expect((await store.claim(ev('t', 'processing'), LEASE)).state).toBe('done');
    expect(await store.isTaskDone('t')).toBe(true);
    state.t += 400;
    // The terminal state and with it the marker expired; 'processing' is still remembered.
    expect(await store.isTaskDone('t')).toBe(false);
    expect((await store.claim(ev('t', 'processing'), LEASE)).state).toBe('done');
    expect((await store.claim(ev('t', 'submitted'), LEASE)).state).toBe('claimed');
    state.t += 500;
    expect((await store.claim(ev('t', 'processing'), LEASE)).state).toBe('claimed');
    expect((await store.claim(ev('t', 'succeed'), LEASE)).state).toBe('claimed');
  });

  it('keeps a claim record until keepUntil while a done state of the same task expires', async () => {
    const { state, now } = clock();
    const store = memoryStore({ now });
    await store.complete(ev('t', 'submitted'), await claimed(store, ev('t', 'submitted')), { ttlMs: 100 });
    const token = await claimed(store, ev('t', 'processing'), { leaseMs: 50, ttlMs: 1_000 });
    state.t += 200;
    // The lease lapsed and 'submitted' expired; the claim record is kept, so its owner can still complete it.
    expect((await store.claim(ev('t', 'submitted'), LEASE)).state).toBe('claimed');
    expect(await store.complete(ev('t', 'processing'), token, { ttlMs: 1_000 })).toBe(true);
    expect((await store.claim(ev('t', 'processing'), LEASE)).state).toBe('done');
    // Past keepUntil nobody completes: the record is gone.
    const late = await claimed(store, ev('u', 'processing'), { leaseMs: 50, ttlMs: 100 });
    state.t += 100;
    expect(await store.complete(ev('u', 'processing'), late, { ttlMs: 1_000 })).toBe(false);
    expect((await store.claim(ev('u', 'processing'), LEASE)).state).toBe('claimed');
  });

  it('drops expired tasks from the head of the write order without being asked', async () => {
    const { state, now } = clock();
    const store = memoryStore({ maxEntries: 3, now });
    await completeNew(store, 'old', 10);
    await completeNew(store, 'b');
    await completeNew(store, 'c');
    state.t += 20;
    // 'old' expired and is swept, so 'd' needs no eviction: b and c stay.
    await completeNew(store, 'd');
    for (const key of ['b', 'c', 'd']) expect((await store.claim(k(key), LEASE)).state).toBe('done');
  });

  it('remembers done states whatever their TTL, status or clock (packed or not)', async () => {
    const { state, now } = clock();
    const store = memoryStore({ now });
    // A clock with fractions of a ms: expiry exact to the fraction.
    state.t += 0.3;
    await store.complete(ev('fraction', 'succeed'), await claimed(store, ev('fraction', 'succeed')), { ttlMs: 10 });
    await store.complete(ev('forever', 'succeed'), await claimed(store, ev('forever', 'succeed')), {
      ttlMs: Number.MAX_SAFE_INTEGER,
    });
    await store.complete(ev('infinite', 'failed'), await claimed(store, ev('infinite', 'failed')), {
      ttlMs: Number.POSITIVE_INFINITY,
    });
    // More statuses than the store numbers for packing.
    const statuses = Array.from({ length: 40 }, (_, i) => `s${i}`);
    for (const status of statuses) {
      const event = ev(`t-${status}`, status);
      await store.complete(event, await claimed(store, event), { ttlMs: 60_000 });
    }
    for (const status of statuses) expect((await store.claim(ev(`t-${status}`, status), LEASE)).state).toBe('done');
    for (const id of ['forever', 'infinite', 'fraction']) expect(await store.isTaskDone(id)).toBe(true);
    expect((await store.claim(ev('forever', 'processing'), LEASE)).state).toBe('superseded');
    state.t += 9.95;
    expect(await store.isTaskDone('fraction')).toBe(true);
    expect((await store.claim(ev('fraction', 'succeed'), LEASE)).state).toBe('done');
    state.t += 0.1;
    expect(await store.isTaskDone('fraction')).toBe(false);
    state.t += 365 * 24 * 3600 * 1000;
    expect(await store.isTaskDone('forever')).toBe(true);
    expect(await store.isTaskDone('infinite')).toBe(true);
    expect((await store.claim(ev('t-s0', 's0'), LEASE)).state).toBe('claimed');
  });

  it('reads a clock that steps back before the store was made as the moment it was made', async () => {
    const { state, now } = clock();
    const store = memoryStore({ now });
    state.t -= 5_000;
    await store.complete(ev('t', 'succeed'), await claimed(store, ev('t', 'succeed')), { ttlMs: 1_000 });
    expect(await store.isTaskDone('t')).toBe(true);
    expect((await store.claim(ev('t', 'processing'), LEASE)).state).toBe('superseded');
    state.t += 5_999;
    expect(await store.isTaskDone('t')).toBe(true);
    state.t += 1;
    expect(await store.isTaskDone('t')).toBe(false);
  });
});

describe('memoryStore memory', () => {
  it('does not grow while one claim stays held through many events', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = (): number => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const store = memoryStore({ maxEntries: 1_000 });
    // Held for the whole run (a handler that hangs): it stays the head of the held tasks.
    await claimed(store, k('hung'));
    const run = async (from: number, count: number): Promise<void> => {
      for (let i = from; i < from + count; i++)
        await store.complete(ev(`t${i}`, 'succeed'), await claimed(store, ev(`t${i}`, 'succeed')), { ttlMs: 60_000 });
    };
    await run(0, 10_000);
    const before = heap();
    await run(10_000, 200_000);
    // A write-order cursor pinning every table its map left behind grew by 10 MB here (150 MB with a map per key kind).
    expect(heap() - before).toBeLessThan(3_000_000);
    expect((await store.claim(k('hung'), LEASE)).state).toBe('in-flight');
  }, 60_000);
});
