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
