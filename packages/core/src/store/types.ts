/** The answer to `claim`. */
export type KlingClaimResult =
  /** This caller now holds the lease; `token` proves it to `complete` and `release`. */
  | { state: 'claimed'; token: string }
  /** Another worker holds a live lease; try again after `retryAfterMs`. */
  | { state: 'in-flight'; retryAfterMs: number }
  /** This key was processed already. */
  | { state: 'done' }
  /** The `supersededBy` key given to `claim` is done (a non-terminal state after the task ended). */
  | { state: 'superseded' };

/** Options of `claim`. */
export interface KlingClaimOptions {
  /** How long the lease lasts; after it a crashed worker's claim lapses and another may take it. */
  leaseMs: number;
  /**
   * When this key is done, answer `superseded` without claiming (out-of-order suppression, one round trip). A done
   * `key` answers `done` first.
   */
  supersededBy?: string;
}

/** Options of `complete`. */
export interface KlingCompleteOptions {
  /** How long the key stays `done` (how long duplicates are recognised). */
  ttlMs: number;
  /** Also mark this key done for `ttlMs` (the task's terminal marker, used as `supersededBy`). */
  mark?: string;
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

/**
 * Where the receiver records which deliveries were processed, and the reconciler which tasks are pending. Every
 * operation is atomic per key; `complete` and `release` act only for the holder of `token`. Implementations:
 * `memoryStore` (one process), `redisStore` (many replicas). Methods reject with `KlingStoreError` when the backend
 * cannot answer.
 */
export interface KlingStore {
  claim(key: string, options: KlingClaimOptions): Promise<KlingClaimResult>;
  /** Marks `key` done. Returns false (and changes nothing) when `token` no longer holds the lease. */
  complete(key: string, token: string, options: KlingCompleteOptions): Promise<boolean>;
  /** Drops the lease so a redelivery can claim again. Returns false when `token` no longer holds it. */
  release(key: string, token: string): Promise<boolean>;

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

  /** Releases resources the store owns (timers). Never closes a client the user passed in. */
  close?(): Promise<void>;
}
