import { randomUUID } from 'node:crypto';
import { KlingConfigError } from '../errors.js';
import type {
  KlingClaimOptions,
  KlingClaimResult,
  KlingCompleteOptions,
  KlingPendingTask,
  KlingStore,
} from './types.js';

/** Options of `memoryStore`. */
export interface MemoryStoreOptions {
  /**
   * Most dedupe entries (done keys and live leases together) kept at once. When full, the oldest done key is dropped
   * first, then the oldest lease. Default 100 000.
   */
  maxEntries?: number;
  /** Upper bound on how long a done key is remembered, whatever `complete` asks. Default: no bound. */
  ttlMs?: number;
  /** Most pending tasks kept at once; when full, the one written longest ago is dropped. Default 10 000. */
  maxPending?: number;
  /** Clock in Unix ms. Default `Date.now`; tests inject their own. */
  now?: () => number;
}

interface Lease {
  token: string;
  /** Ms after the store's epoch. */
  expiresAt: number;
}

/** How many expired entries one operation drops from the head of a map: bounded work, O(1) per operation. */
const SWEEP = 8;

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new KlingConfigError(`memoryStore: ${name} must be a positive integer`);
  }
  return value;
}

/** Drops up to SWEEP expired entries from the head (the oldest writes) of `map`. */
function sweep<V>(map: Map<string, V>, expiry: (value: V) => number, now: number): void {
  let checked = 0;
  for (const [key, value] of map) {
    if (expiry(value) > now || ++checked > SWEEP) return;
    map.delete(key);
  }
}

function oldestKey<V>(map: Map<string, V>): string | undefined {
  for (const key of map.keys()) return key;
  return undefined;
}

/**
 * A `KlingStore` in this process's memory: right for one process, wrong for several replicas (each would process the
 * same callback once; use `redisStore` there). Every operation is O(1); entries expire after their TTL (dropped when
 * touched or when they reach the head of the write order) and the store never holds more than `maxEntries` of them.
 */
export function memoryStore(options: MemoryStoreOptions = {}): KlingStore {
  const maxEntries = positiveInteger(options.maxEntries ?? 100_000, 'maxEntries');
  const maxPending = positiveInteger(options.maxPending ?? 10_000, 'maxPending');
  const ttlCap = options.ttlMs === undefined ? Number.POSITIVE_INFINITY : positiveInteger(options.ttlMs, 'ttlMs');
  const clock = options.now ?? Date.now;
  // Times are kept as ms after `epoch`: small integers stay unboxed in V8, which keeps a million done keys compact.
  const epoch = clock();
  const elapsed = (): number => clock() - epoch;

  /** Done key → expiry. Map order is write order (a key is deleted before it is written again). */
  const done = new Map<string, number>();
  const leases = new Map<string, Lease>();
  const pending = new Map<string, KlingPendingTask>();

  const doneExpiry = (value: number): number => value;
  const leaseExpiry = (lease: Lease): number => lease.expiresAt;

  function isDone(key: string, now: number): boolean {
    const expiresAt = done.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt > now) return true;
    done.delete(key);
    return false;
  }

  function liveLease(key: string, now: number): Lease | undefined {
    const lease = leases.get(key);
    if (lease === undefined) return undefined;
    if (lease.expiresAt > now) return lease;
    leases.delete(key);
    return undefined;
  }

  function makeRoom(now: number): void {
    sweep(done, doneExpiry, now);
    sweep(leases, leaseExpiry, now);
    while (done.size + leases.size >= maxEntries) {
      const victim = oldestKey(done);
      if (victim !== undefined) done.delete(victim);
      else leases.delete(oldestKey(leases) as string);
    }
  }

  function markDone(key: string, ttlMs: number, now: number): void {
    done.delete(key);
    leases.delete(key);
    makeRoom(now);
    done.set(key, now + Math.min(ttlMs, ttlCap));
  }

  /** Removes and returns the lease on `key` when `token` still holds it. */
  function takeLease(key: string, token: string, now: number): boolean {
    const lease = liveLease(key, now);
    if (lease === undefined || lease.token !== token) return false;
    leases.delete(key);
    return true;
  }

  const store: KlingStore = {
    async claim(key: string, { leaseMs, supersededBy }: KlingClaimOptions): Promise<KlingClaimResult> {
      const now = elapsed();
      if (isDone(key, now)) return { state: 'done' };
      if (supersededBy !== undefined && isDone(supersededBy, now)) return { state: 'superseded' };
      const lease = liveLease(key, now);
      if (lease !== undefined) return { state: 'in-flight', retryAfterMs: lease.expiresAt - now };
      makeRoom(now);
      const token = randomUUID();
      leases.set(key, { token, expiresAt: now + leaseMs });
      return { state: 'claimed', token };
    },

    async complete(key: string, token: string, { ttlMs, mark }: KlingCompleteOptions): Promise<boolean> {
      const now = elapsed();
      if (!takeLease(key, token, now)) return false;
      markDone(key, ttlMs, now);
      if (mark !== undefined) markDone(mark, ttlMs, now);
      return true;
    },

    async release(key: string, token: string): Promise<boolean> {
      return takeLease(key, token, elapsed());
    },

    async putPending(task: KlingPendingTask): Promise<void> {
      pending.delete(task.taskId);
      if (pending.size >= maxPending) pending.delete(oldestKey(pending) as string);
      pending.set(task.taskId, { ...task });
    },

    async deletePending(taskId: string): Promise<void> {
      pending.delete(taskId);
    },

    async takeDuePending(now: number, limit: number, leaseMs: number): Promise<KlingPendingTask[]> {
      const due: KlingPendingTask[] = [];
      for (const task of pending.values()) if (task.dueAt <= now) due.push(task);
      due.sort((a, b) => a.dueAt - b.dueAt);
      const taken = due.slice(0, Math.max(0, limit));
      for (const task of taken) task.dueAt = now + leaseMs;
      return taken.map((task) => ({ ...task }));
    },
  };
  return store;
}
