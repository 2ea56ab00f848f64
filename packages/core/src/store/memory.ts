import { KlingConfigError } from '../errors.js';
import { randomUUID } from '../platform/random-id.js';
import { storeKeys } from './keys.js';
import type {
  KlingClaimOptions,
  KlingClaimResult,
  KlingCompleteOptions,
  KlingEventRef,
  KlingPendingTask,
  KlingStore,
} from './types.js';

/** Options of `memoryStore`. */
export interface MemoryStoreOptions {
  /**
   * Most task states (each claimed or done state of a task: `processing`, `succeed`, …) kept at once, over all tasks.
   * A task's terminal marker is part of its record and not counted. Tasks are dropped whole: when full, the task
   * written longest ago that holds no claim goes first, then the one claimed longest ago. Default 100 000.
   */
  maxEntries?: number;
  /** Upper bound on how long a done state is remembered, whatever `complete` asks. Default: no bound. */
  ttlMs?: number;
  /** Most pending tasks kept at once; when full, the one written longest ago is dropped. Default 10 000. */
  maxPending?: number;
  /** Most task pairings (external id → task id) kept at once; when full, the oldest is dropped. Default 100 000. */
  maxPairings?: number;
  /** Clock in Unix ms. Default `Date.now`; tests inject their own. */
  now?: () => number;
}

/**
 * A held state: kept after its lease lapses (until `keepUntil`), so its owner can still complete it when nobody took
 * it over.
 */
class Claim {
  constructor(
    readonly token: string,
    /** Ms after the store's epoch when the lease lapses (another claim may then take the event over). */
    readonly leaseUntil: number,
    /** Ms after the store's epoch when the claim is dropped. */
    readonly keepUntil: number,
    /** A terminal state's claim: it holds the whole task (everything else of it is superseded) while it lives. */
    readonly terminal: boolean,
  ) {}
}

/**
 * One state of a task. `state` is a `Claim` while held; once done, the ms after the store's epoch when it expires,
 * stored as `-1 - expiresAt` (below zero) for a terminal state, which then marks the task ended. A number, not an
 * object with a flag: a done state costs no object of its own.
 */
interface Slot {
  status: string;
  state: number | Claim;
}

/**
 * Everything the store knows of one task: its first state inline (most tasks have one to three, usually one at a
 * time), any further ones in `more`. Its terminal marker is not stored apart: the task is held by a live terminal
 * claim, or ended by a done terminal state, among its slots.
 */
class Task implements Slot {
  more: Slot[] | undefined = undefined;
  constructor(
    public status: string,
    public state: number | Claim,
  ) {}
}

/** The done value of a state that expires at `expiresAt` (≥ 0); `ended` for a terminal one. */
function doneState(expiresAt: number, ended: boolean): number {
  return ended ? -1 - expiresAt : expiresAt;
}

/** When a state expires: a done one's TTL, a claim's `keepUntil`. */
function stateUntil(state: number | Claim): number {
  if (typeof state !== 'number') return state.keepUntil;
  return state < 0 ? -1 - state : state;
}

/** Whether `state` is the done terminal state that ended its task. */
function endsTask(state: number | Claim): boolean {
  return typeof state === 'number' && state < 0;
}

/**
 * A done task of one state as the store keeps it: packed into a number (`expiresAt × 64 + ended × 32 + status index`,
 * see `memoryStore`), which costs a million tasks no object each; any other task as its record.
 */
type StoredTask = Task | number;

const PACK = 64;
const ENDED_BIT = 32;
/** Most statuses a store numbers for packing (any other keeps a record): Kling has four, plus unknown ones. */
const PACKED_STATUSES = 32;
/** Past this expiry (ms after the epoch) a packed number would lose precision: such a task keeps its record. */
const PACKABLE_UNTIL = 2 ** 46;

/** How many states `task` holds. */
function stateCount(task: StoredTask): number {
  if (typeof task === 'number') return 1;
  return task.more === undefined ? 1 : 1 + task.more.length;
}

/** When the last state of `task` expires: the task can be dropped then. */
function taskUntil(task: StoredTask): number {
  if (typeof task === 'number') return Math.floor(task / PACK);
  let until = stateUntil(task.state);
  if (task.more !== undefined) for (const slot of task.more) until = Math.max(until, stateUntil(slot.state));
  return until;
}

function findSlot(task: Task, status: string): Slot | undefined {
  if (task.status === status) return task;
  if (task.more !== undefined) for (const slot of task.more) if (slot.status === status) return slot;
  return undefined;
}

/** The state holding `task` (a terminal claim or done terminal state), if any. */
function holderOf(task: Task): Slot | undefined {
  if (holds(task.state)) return task;
  if (task.more !== undefined) for (const slot of task.more) if (holds(slot.state)) return slot;
  return undefined;
}

function holds(state: number | Claim): boolean {
  return typeof state === 'number' ? state < 0 : state.terminal;
}

/** Whether `task` has a claim that has not expired. */
function hasClaim(task: Task, now: number): boolean {
  if (typeof task.state !== 'number' && task.state.keepUntil > now) return true;
  if (task.more !== undefined) {
    for (const slot of task.more) if (typeof slot.state !== 'number' && slot.state.keepUntil > now) return true;
  }
  return false;
}

/** Drops `slot` from `task`. Returns false when that was the task's last state (the task is then empty). */
function dropSlot(task: Task, slot: Slot): boolean {
  const more = task.more;
  if (more === undefined) return false;
  if (slot === task) {
    const last = more.pop() as Slot;
    task.status = last.status;
    task.state = last.state;
  } else {
    more.splice(more.indexOf(slot), 1);
  }
  if (more.length === 0) task.more = undefined;
  return true;
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
  /** Writes since the cursor last moved. */
  #writes = 0;

  get size(): number {
    return this.#map.size;
  }

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  /** Writes `key` as the newest entry (a rewritten key moves to the end). */
  set(key: string, value: V): void {
    this.delete(key);
    this.add(key, value);
  }

  /** Writes `key`, which the map does not hold, as the newest entry: `set` without its delete. */
  add(key: string, value: V): void {
    this.#map.set(key, value);
    // V8 moves a growing Map to a table twice the size when its count passes a power of two, and a live iterator keeps
    // every table the map outgrew alive until it moves again: 30 bytes a key at a million keys. A new cursor right
    // after a growth lets them go, and the fresh table has no deleted slots for it to skip. Only at a new largest
    // size: a store that stays full at such a size would otherwise start a cursor on every write.
    const size = this.#map.size;
    if (size > this.#largest) {
      this.#largest = size;
      if (size > 8 && ((size - 1) & (size - 2)) === 0) this.#restart();
    }
    // Deletes and writes also rehash a map that does not grow (to drop deleted slots), and a cursor resting on a head
    // that stays (a claim held for hours, a done key not yet due) pinned each table it left: 750 bytes an event with
    // one claim held through 300k events. Restarting it after as many writes as twice the size lets them go; the walk
    // of the new cursor to the head is at most the table's length, paid once per that many writes.
    else if (++this.#writes > 2 * size + 16) this.#restart();
  }

  #restart(): void {
    this.#cursor = this.#map.entries();
    this.#head = undefined;
    this.#writes = 0;
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
      this.#writes = 0;
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
 * same callback once; use `redisStore` there). Every operation is O(1); states expire after their TTL (dropped when
 * touched or when their task reaches the head of the write order) and the store never holds more than `maxEntries`
 * of them.
 */
export function memoryStore(options: MemoryStoreOptions = {}): KlingStore {
  const maxEntries = positiveInteger(options.maxEntries ?? 100_000, 'maxEntries');
  const maxPending = positiveInteger(options.maxPending ?? 10_000, 'maxPending');
  const maxPairings = positiveInteger(options.maxPairings ?? 100_000, 'maxPairings');
  const ttlCap = options.ttlMs === undefined ? Number.POSITIVE_INFINITY : positiveInteger(options.ttlMs, 'ttlMs');
  const clock = options.now ?? Date.now;
  // Times are kept as ms after `epoch`: small integers stay unboxed in V8, which keeps a million done states compact.
  // Never below zero (a clock stepping back past the epoch reads as the epoch): done states encode a flag in the sign.
  const epoch = clock();
  const elapsed = (): number => Math.max(0, clock() - epoch);

  // One record per task, keyed by task id, in one of two maps: `held` while it has a live claim (few: the events in
  // flight), `tasks` once all its states are done, in the order they were written (completed). Two maps rather than
  // one with a write-order list through the records: no list pointers per task (a million done tasks stay within the
  // memory bound), and the big map sees one lookup per claim and one insert per complete.
  const held = new WriteOrderMap<Task>();
  const tasks = new WriteOrderMap<StoredTask>();
  /** Status → its index in packed tasks (`statuses` back), for the first PACKED_STATUSES statuses seen. */
  const statusIndex = new Map<string, number>();
  const statuses: string[] = [];
  /** States over all tasks (what `maxEntries` bounds). */
  let entries = 0;
  const pending = new WriteOrderMap<KlingPendingTask>();
  const pairings = new WriteOrderMap<Pairing>();
  const pairingExpiry = (pairing: Pairing): number => pairing.expiresAt;

  /** Drops the expired states of `task`. Returns how many it has left (0: drop the task). */
  function prune(task: Task, now: number): number {
    const more = task.more;
    if (more?.some((slot) => stateUntil(slot.state) <= now)) {
      const kept = more.filter((slot) => stateUntil(slot.state) > now);
      entries -= more.length - kept.length;
      task.more = kept.length > 0 ? kept : undefined;
    }
    if (stateUntil(task.state) <= now) {
      entries--;
      if (!dropSlot(task, task)) return 0;
    }
    return stateCount(task);
  }

  /** `task` as `tasks` keeps it: packed when it has one state, done, of a status numbered (or numbered now). */
  function stored(task: Task): StoredTask {
    if (task.more !== undefined || typeof task.state !== 'number') return task;
    const until = stateUntil(task.state);
    // An injected clock may read fractions of a ms, a caller may ask for a TTL of years: such a task keeps its record.
    if (!Number.isInteger(until) || until >= PACKABLE_UNTIL) return task;
    let index = statusIndex.get(task.status);
    if (index === undefined) {
      if (statuses.length >= PACKED_STATUSES) return task;
      index = statuses.push(task.status) - 1;
      statusIndex.set(task.status, index);
    }
    return until * PACK + (endsTask(task.state) ? ENDED_BIT : 0) + index;
  }

  /** The record of a stored task (a packed one unpacked: a new record, not in the map). */
  function record(task: StoredTask): Task {
    if (typeof task !== 'number') return task;
    const low = task % PACK;
    return new Task(statuses[low % ENDED_BIT] as string, doneState(Math.floor(task / PACK), low >= ENDED_BIT));
  }

  /** Drops up to SWEEP expired tasks from the head (the oldest writes) of `map`. */
  function sweepTasks(map: WriteOrderMap<StoredTask>, now: number): void {
    for (let checked = 0; checked < SWEEP; checked++) {
      const head = map.oldest();
      if (head === undefined || taskUntil(head[1]) > now) return;
      map.delete(head[0]);
      entries -= stateCount(head[1]);
    }
  }

  /** Drops expired tasks, then the oldest done ones, then the oldest held ones, until one more state fits. */
  function makeRoom(now: number): void {
    sweepTasks(tasks, now);
    sweepTasks(held, now);
    while (entries >= maxEntries) {
      const from = tasks.size > 0 ? tasks : held;
      const head = from.oldest();
      if (head === undefined) return;
      from.delete(head[0]);
      entries -= stateCount(head[1]);
    }
  }

  /** `task` (out of both maps) after its claim lost its last live one: back among the done tasks, or gone. */
  function settle(taskId: string, task: Task, now: number): void {
    if (prune(task, now) === 0) return;
    if (hasClaim(task, now)) held.add(taskId, task);
    else tasks.add(taskId, stored(task));
  }

  const store: KlingStore = {
    async claim(event: KlingEventRef, { leaseMs, ttlMs }: KlingClaimOptions): Promise<KlingClaimResult> {
      const now = elapsed();
      const taskId = event.taskId;
      let from: WriteOrderMap<StoredTask> = held;
      let found: StoredTask | undefined = held.get(taskId);
      if (found === undefined) {
        from = tasks;
        found = tasks.get(taskId);
      }
      let task = found === undefined ? undefined : record(found);
      let own: Slot | undefined;
      if (task !== undefined) {
        if (prune(task, now) === 0) {
          from.delete(taskId);
          task = undefined;
        } else {
          if (from === held && !hasClaim(task, now)) {
            // Its claims expired: it is a done task now (the held map keeps only tasks in flight).
            held.delete(taskId);
            from = tasks;
            tasks.add(taskId, stored(task));
          }
          own = findSlot(task, event.status);
          if (own !== undefined && typeof own.state === 'number') return { state: 'done' };
          // A terminal claim holds the task from the moment it is taken: everything but that same event is superseded.
          const holder = holderOf(task);
          if (holder !== undefined && holder !== own) return { state: 'superseded' };
          if (own !== undefined && (own.state as Claim).leaseUntil > now) {
            return { state: 'in-flight', retryAfterMs: (own.state as Claim).leaseUntil - now };
          }
          // Written again below, as the newest held task.
          from.delete(taskId);
        }
      }
      if (own === undefined) {
        makeRoom(now);
        // Only this task's own states are left and they fill the store: it goes too, as the oldest write.
        if (task !== undefined && entries >= maxEntries) {
          entries -= stateCount(task);
          task = undefined;
        }
      }
      const token = randomUUID();
      const claim = new Claim(token, now + leaseMs, now + Math.max(leaseMs, Math.min(ttlMs, ttlCap)), event.terminal);
      if (own !== undefined) {
        // A lapsed lease taken over: same state, new owner.
        own.state = claim;
      } else if (task === undefined) {
        task = new Task(event.status, claim);
        entries++;
      } else {
        const slot: Slot = { status: event.status, state: claim };
        if (task.more === undefined) task.more = [slot];
        else task.more.push(slot);
        entries++;
      }
      held.add(taskId, task as Task);
      return { state: 'claimed', token };
    },

    async complete(event: KlingEventRef, token: string, { ttlMs }: KlingCompleteOptions): Promise<boolean> {
      const taskId = event.taskId;
      const task = held.get(taskId);
      if (task === undefined) return false;
      const slot = findSlot(task, event.status);
      if (slot === undefined || typeof slot.state === 'number') return false;
      const now = elapsed();
      // The owner token decides, not the lease clock: a lapsed lease nobody took over is still its owner's.
      if (slot.state.keepUntil <= now) {
        held.delete(taskId);
        settle(taskId, task, now);
        return false;
      }
      if (slot.state.token !== token) return false;
      slot.state = doneState(Math.max(0, now + Math.min(ttlMs, ttlCap)), event.terminal);
      if (task.more === undefined || !hasClaim(task, now)) {
        // Its last claim is done: the task is written now, among the done ones.
        held.delete(taskId);
        tasks.add(taskId, stored(task));
      }
      return true;
    },

    async release(event: KlingEventRef, token: string): Promise<boolean> {
      const taskId = event.taskId;
      const task = held.get(taskId);
      if (task === undefined) return false;
      const slot = findSlot(task, event.status);
      if (slot === undefined || typeof slot.state === 'number') return false;
      const now = elapsed();
      if (slot.state.keepUntil > now && slot.state.token !== token) return false;
      const released = slot.state.keepUntil > now;
      // Dropping a terminal claim opens the task again: a redelivery of its terminal state can run.
      held.delete(taskId);
      entries--;
      if (dropSlot(task, slot)) settle(taskId, task, now);
      return released;
    },

    async isTaskDone(taskId: string): Promise<boolean> {
      const found = held.get(taskId) ?? tasks.get(taskId);
      if (found === undefined) return false;
      const task = record(found);
      const now = elapsed();
      if (endsTask(task.state) && stateUntil(task.state) > now) return true;
      return task.more?.some((slot) => endsTask(slot.state) && stateUntil(slot.state) > now) ?? false;
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
