/**
 * The event a dedupe operation is about. Stores name their keys from it through `storeKeys` (one injective naming,
 * so no two events share a key) and know the terminal marker of the task themselves.
 */
export interface KlingEventRef {
  readonly taskId: string;
  /** The status as the library names it (`succeed`), or the raw status for one it does not know. */
  readonly status: string;
  /** Whether the status ends the task (`succeed`, `failed`): the task's terminal marker is set with it. */
  readonly terminal: boolean;
}

/** The answer to `claim`. */
export type KlingClaimResult =
  /** This caller now holds the lease; `token` proves it to `complete` and `release`. */
  | { state: 'claimed'; token: string }
  /** Another worker holds a live lease; try again after `retryAfterMs`. */
  | { state: 'in-flight'; retryAfterMs: number }
  /** This event was processed already. */
  | { state: 'done' }
  /** The task has ended (its terminal marker is set): this event is not to be dispatched. */
  | { state: 'superseded' };

/** Options of `claim`. */
export interface KlingClaimOptions {
  /** How long the lease lasts; after it a crashed worker's claim lapses and another may take it. */
  leaseMs: number;
  /** How long the claim's record is kept (never less than `leaseMs`): how long its owner can still complete it. */
  ttlMs: number;
}

/** Options of `complete`. */
export interface KlingCompleteOptions {
  /** How long the event stays `done` (how long duplicates are recognised). */
  ttlMs: number;
}

/**
 * What the receiver needs: which events were processed. Every operation is atomic; `complete` and `release` act only
 * for the holder of `token`. Methods reject with `KlingStoreError` when the backend cannot answer.
 */
export interface KlingDedupeStore {
  /**
   * Takes the lease on `event` unless it is done (`done`), its task ended (`superseded`), or another worker holds a
   * live lease (`in-flight`). A terminal event's claim also sets its task's terminal marker.
   */
  claim(event: KlingEventRef, options: KlingClaimOptions): Promise<KlingClaimResult>;
  /** Marks `event` done. Returns false (and changes nothing) when `token` no longer holds it. */
  complete(event: KlingEventRef, token: string, options: KlingCompleteOptions): Promise<boolean>;
  /** Drops the lease so a redelivery can claim again. Returns false when `token` no longer holds it. */
  release(event: KlingEventRef, token: string): Promise<boolean>;
  /** Whether a terminal event of the task was completed (a callback or a poll ended it). */
  isTaskDone(taskId: string): Promise<boolean>;
  /** Releases resources the store owns (timers). Never closes a client the user passed in. */
  close?(): Promise<void>;
}

/** A task created through `KlingClient` and not yet seen in a terminal state. */
export interface KlingPendingTask {
  taskId: string;
  /** Product path the task was created on (`videos/text2video`, `image-to-video/kling-3.0`): where to poll it. */
  product: string;
  externalTaskId?: string;
  /** Unix ms when the task was created. */
  createdAt: number;
  /** Unix ms when it should next be polled. */
  dueAt: number;
  /** Polls done so far (for back-off). */
  attempts: number;
}

/** How many tasks are pending, and since when: the reconciler reports them as metrics after each tick. */
export interface KlingPendingStats {
  /** Tasks recorded as pending. */
  count: number;
  /** `createdAt` (Unix ms) of the oldest pending task, when the store can tell it (undefined when none is pending). */
  oldestCreatedAt?: number;
}

/** What the client and the reconciler need: the queue of tasks to poll if their terminal callback never comes. */
export interface KlingPendingTasks {
  /** Records (or replaces) a pending task. */
  putPending(task: KlingPendingTask): Promise<void>;
  /** Forgets a pending task (its terminal event was processed). */
  deletePending(taskId: string): Promise<void>;
  /**
   * Takes up to `limit` pending tasks due at `now` and pushes each one's `dueAt` to `now + leaseMs` in the same
   * atomic step, so that replicas polling at once never take the same task. The tasks come back with that new
   * `dueAt`, earliest due first.
   */
  takeDuePending(now: number, limit: number, leaseMs: number): Promise<KlingPendingTask[]>;
  /**
   * How many tasks are pending and the oldest one's creation time. Optional: asked once per reconciler tick, only
   * when metrics are recorded.
   */
  pendingStats?(): Promise<KlingPendingStats>;
  /** Releases resources the store owns (timers). Never closes a client the user passed in. */
  close?(): Promise<void>;
}

/**
 * Which Kling task id was created for an external task id. A callback token can only name the external id (Kling
 * assigns the task id later): `KlingClient` records the pair when it creates the task, and the receiver accepts a
 * token bound to an external id only for the task recorded with it.
 */
export interface KlingTaskPairings {
  /** Records that `externalTaskId` names `taskId`, for `ttlMs`. */
  pairTask(externalTaskId: string, taskId: string, ttlMs: number): Promise<void>;
  /** The task id recorded for `externalTaskId`, or `undefined` when none is (yet, or any more). */
  pairedTaskId(externalTaskId: string): Promise<string | undefined>;
}

/**
 * Every part in one: what `memoryStore` and `redisStore` return. The receiver needs `KlingDedupeStore` (and reads
 * `KlingTaskPairings` when it has them), the client `KlingPendingTasks` (and writes the pairings), the reconciler the
 * pending tasks and `isTaskDone`.
 */
export interface KlingStore extends KlingDedupeStore, KlingPendingTasks, KlingTaskPairings {
  /** Releases resources the store owns (timers). Never closes a client the user passed in. */
  close?(): Promise<void>;
}
