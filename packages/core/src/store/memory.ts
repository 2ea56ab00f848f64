import { randomUUID } from 'node:crypto';
import { KlingConfigError } from '../errors.js';
import { storeKeys } from './keys.js';
import type {
  KlingClaimOptions,
  KlingClaimResult,
  KlingCompleteOptions,
  KlingEventRef,
  KlingPendingStats,
  KlingPendingTask,
  KlingStore,
} from './types.js';

/** Options of `memoryStore`. */
export interface MemoryStoreOptions {
  /**
   * Most dedupe entries (done keys and claim records together) kept at once. When full, the oldest done key is
   * dropped first, then the oldest claim. Default 100 000.
   */
  maxEntries?: number;
  /** Upper bound on how long a done key is remembered, whatever `complete` asks. Default: no bound. */
  ttlMs?: number;
  /** Most pending tasks kept at once; when full, the one written longest ago is dropped. Default 10 000. */
  maxPending?: number;
  /** Most task pairings (external id → task id) kept at once; when full, the oldest is dropped. Default 100 000. */
  maxPairings?: number;
  /** Clock in Unix ms. Default `Date.now`; tests inject their own. */
  now?: () => number;
}

/**
 * A claim's record: kept after its lease lapses (until `keepUntil`), so its owner can still complete it when nobody
 * took it over. A terminal event's claim is also stored under its task's terminal marker (the same object).
 */
interface Claim {
  token: string;
  /** Ms after the store's epoch when the lease lapses (another claim may then take the event over). */
  leaseUntil: number;
  /** Ms after the store's epoch when the record is dropped. */
  keepUntil: number;
}

/** A task id recorded for an external task id. */
interface Pairing {
  taskId: string;
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

/**
 * A Map that finds its oldest entry (in write order) in O(1) amortized time. `for (const k of map.keys()) return k`
 * is not O(1): V8 leaves the slot of every deleted entry in place until the table is rehashed, and each new iteration
 * walks over all of them, so a store that keeps deleting its head paid up to O(size) per claim once full. One
 * iterator that lives as long as the map walks each slot once.
 */
class WriteOrderMap<V> {
  readonly #map = new Map<string, V>();
  #cursor: MapIterator<[string, V]> = this.#map.entries();
  /** The entry the cursor stopped at: the oldest one, unless deleted since (then cleared). */
  #head: [string, V] | undefined;
  /** The most entries the map has held. */
  #largest = 0;

  get size(): number {
    return this.#map.size;
  }

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  /** Writes `key` as the newest entry (a rewritten key moves to the end). */
  set(key: string, value: V): void {
    this.delete(key);
    this.#map.set(key, value);
    // V8 moves a growing Map to a table twice the size when its count passes a power of two, and a live iterator keeps
    // every table the map outgrew alive until it moves again: 30 bytes a key at a million keys. A new cursor right
    // after a growth lets them go, and the fresh table has no deleted slots for it to skip. Only at a new largest
    // size: a store that stays full at such a size would otherwise start a cursor on every write.
    const size = this.#map.size;
    if (size > this.#largest) {
      this.#largest = size;
      if (size > 8 && ((size - 1) & (size - 2)) === 0) {
        this.#cursor = this.#map.entries();
        this.#head = undefined;
      }
    }
  }

  delete(key: string): void {
    if (this.#head !== undefined && this.#head[0] === key) this.#head = undefined;
    this.#map.delete(key);
  }

  values(): MapIterator<V> {
    return this.#map.values();
  }

  /** The oldest entry, or `undefined` when empty. */
  oldest(): [string, V] | undefined {
    if (this.#head === undefined) {
      let next = this.#cursor.next();
      // A finished iterator stays finished: it ended on an empty map, so a new one has nothing to skip.
      if (next.done === true) {
        this.#cursor = this.#map.entries();
        next = this.#cursor.next();
      }
      this.#head = next.done === true ? undefined : next.value;
    }
    return this.#head;
  }
}

/** Drops up to SWEEP expired entries from the head (the oldest writes) of `map`. */
function sweep<V>(map: WriteOrderMap<V>, expiry: (value: V) => number, now: number): void {
  for (let checked = 0; checked < SWEEP; checked++) {
    const head = map.oldest();
    if (head === undefined || expiry(head[1]) > now) return;
    map.delete(head[0]);
  }
}

/**
 * A `KlingStore` in this process's memory: right for one process, wrong for several replicas (each would process the
 * same callback once; use `redisStore` there). Every operation is O(1); entries expire after their TTL (dropped when
 * touched or when they reach the head of the write order) and the store never holds more than `maxEntries` of them.
 */
export function memoryStore(options: MemoryStoreOptions = {}): KlingStore {
  const maxEntries = positiveInteger(options.maxEntries ?? 100_000, 'maxEntries');
  const maxPending = positiveInteger(options.maxPending ?? 10_000, 'maxPending');
  const maxPairings = positiveInteger(options.maxPairings ?? 100_000, 'maxPairings');
  const ttlCap = options.ttlMs === undefined ? Number.POSITIVE_INFINITY : positiveInteger(options.ttlMs, 'ttlMs');
  const clock = options.now ?? Date.now;
  // Times are kept as ms after `epoch`: small integers stay unboxed in V8, which keeps a million done keys compact.
  const epoch = clock();
  const elapsed = (): number => clock() - epoch;

  /** Done key → expiry, in write order. */
  const done = new WriteOrderMap<number>();
  const claims = new WriteOrderMap<Claim>();
  const pending = new WriteOrderMap<KlingPendingTask>();
  const pairings = new WriteOrderMap<Pairing>();
  const pairingExpiry = (pairing: Pairing): number => pairing.expiresAt;

  const doneExpiry = (value: number): number => value;
  const claimExpiry = (claim: Claim): number => claim.keepUntil;

  function isDone(key: string, now: number): boolean {
    const expiresAt = done.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt > now) return true;
    done.delete(key);
    return false;
  }

  function claimOf(key: string, now: number): Claim | undefined {
    const claim = claims.get(key);
    if (claim === undefined) return undefined;
    if (claim.keepUntil > now) return claim;
    claims.delete(key);
    return undefined;
  }

  function makeRoom(now: number): void {
    sweep(done, doneExpiry, now);
    sweep(claims, claimExpiry, now);
    while (done.size + claims.size >= maxEntries) {
      const from = done.size > 0 ? done : claims;
      const head = from.oldest();
      if (head === undefined) return;
      from.delete(head[0]);
    }
  }

  function markDone(key: string, ttlMs: number, now: number): void {
    done.delete(key);
    claims.delete(key);
    makeRoom(now);
    done.set(key, now + Math.min(ttlMs, ttlCap));
  }

  const store: KlingStore = {
    async claim(event: KlingEventRef, { leaseMs, ttlMs }: KlingClaimOptions): Promise<KlingClaimResult> {
      const now = elapsed();
      const key = storeKeys.event(event.taskId, event.status);
      if (isDone(key, now)) return { state: 'done' };
      const marker = storeKeys.terminal(event.taskId);
      if (isDone(marker, now)) return { state: 'superseded' };
      const own = claimOf(key, now);
      const holder = claimOf(marker, now);
      // A terminal claim holds the task from the moment it is taken: everything but that same event is superseded.
      if (holder !== undefined && holder !== own) return { state: 'superseded' };
      if (own !== undefined && own.leaseUntil > now) return { state: 'in-flight', retryAfterMs: own.leaseUntil - now };
      makeRoom(now);
      const token = randomUUID();
      const claim: Claim = {
        token,
        leaseUntil: now + leaseMs,
        keepUntil: now + Math.max(leaseMs, Math.min(ttlMs, ttlCap)),
      };
      claims.set(key, claim);
      if (event.terminal) claims.set(marker, claim);
      return { state: 'claimed', token };
    },

    async complete(event: KlingEventRef, token: string, { ttlMs }: KlingCompleteOptions): Promise<boolean> {
      const now = elapsed();
      const key = storeKeys.event(event.taskId, event.status);
      // The owner token decides, not the lease clock: a lapsed lease nobody took over is still its owner's.
      if (claimOf(key, now)?.token !== token) return false;
      markDone(key, ttlMs, now);
      if (event.terminal) markDone(storeKeys.terminal(event.taskId), ttlMs, now);
      return true;
    },

    async release(event: KlingEventRef, token: string): Promise<boolean> {
      const now = elapsed();
      const key = storeKeys.event(event.taskId, event.status);
      const claim = claimOf(key, now);
      if (claim?.token !== token) return false;
      claims.delete(key);
      if (event.terminal) {
        // The task is open again: a redelivery of its terminal state can run.
        const marker = storeKeys.terminal(event.taskId);
        if (claims.get(marker) === claim) claims.delete(marker);
      }
      return true;
    },

    async isTaskDone(taskId: string): Promise<boolean> {
      return isDone(storeKeys.terminal(taskId), elapsed());
    },

    async pairTask(externalTaskId: string, taskId: string, ttlMs: number): Promise<void> {
      const now = elapsed();
      const key = storeKeys.pairing(externalTaskId);
      pairings.delete(key);
      sweep(pairings, pairingExpiry, now);
      const oldest = pairings.size >= maxPairings ? pairings.oldest() : undefined;
      if (oldest !== undefined) pairings.delete(oldest[0]);
      pairings.set(key, { taskId, expiresAt: now + ttlMs });
    },

    async pairedTaskId(externalTaskId: string): Promise<string | undefined> {
      const key = storeKeys.pairing(externalTaskId);
      const pairing = pairings.get(key);
      if (pairing === undefined) return undefined;
      if (pairing.expiresAt > elapsed()) return pairing.taskId;
      pairings.delete(key);
      return undefined;
    },

    async putPending(task: KlingPendingTask): Promise<void> {
      pending.delete(task.taskId);
      const oldest = pending.size >= maxPending ? pending.oldest() : undefined;
      if (oldest !== undefined) pending.delete(oldest[0]);
      pending.set(task.taskId, { ...task });
    },

    async deletePending(taskId: string): Promise<void> {
      pending.delete(taskId);
    },

    async pendingStats(): Promise<KlingPendingStats> {
      let oldestCreatedAt: number | undefined;
      for (const task of pending.values()) {
        if (oldestCreatedAt === undefined || task.createdAt < oldestCreatedAt) oldestCreatedAt = task.createdAt;
      }
      return oldestCreatedAt === undefined ? { count: 0 } : { count: pending.size, oldestCreatedAt };
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
