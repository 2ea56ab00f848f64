import type { KlingClient } from '../client/client.js';
import type { KlingLogger } from '../logger.js';
import type { KlingReceiver } from '../receiver/types.js';
import type { KlingDedupeStore, KlingPendingTasks } from '../store/types.js';
import type { KlingTelemetryOptions } from '../telemetry/options.js';

/** Options of `createReconciler`. */
export interface ReconcilerOptions {
  /** Polls Kling. A `KlingClient` (only `getTask` and `getTasks` are used). */
  client: Pick<KlingClient, 'getTask' | 'getTasks'>;
  /** Poll results go through its `process`: the same dedupe and dispatch as callbacks. */
  receiver: Pick<KlingReceiver, 'process'>;
  /**
   * Holds the pending tasks (the client's store) and answers `isTaskDone` from the receiver's dedupe state (the
   * receiver's store): one `memoryStore` or `redisStore` shared by the three.
   */
  store: KlingPendingTasks & Pick<KlingDedupeStore, 'isTaskDone'>;
  /**
   * No task is polled before it is this old (its terminal callback has had this long to arrive), whatever `dueAt`
   * it was recorded with. Default 300 000 (5 minutes).
   */
  fallbackAfterMs?: number;
  /** Pause between ticks. Default 15 000. */
  intervalMs?: number;
  /** Kling requests (and store probes) in flight at once. Default 4. */
  concurrency?: number;
  /** New-dialect task ids per `GET /tasks?task_ids=` request. Default 50. */
  batchSize?: number;
  /** Tasks taken from the store per tick (they are all leased at once: keep a tick shorter than `leaseMs`). Default 100. */
  maxTasksPerTick?: number;
  /** After this many polls without a terminal state the task is dropped (and an error logged). Default 100. */
  maxAttempts?: number;
  /** Wait after the first poll that finds a task still running; doubles per poll. Default 30 000. */
  backoffMs?: number;
  /** Longest wait between two polls of one task. Default 900 000 (15 minutes). */
  maxBackoffMs?: number;
  /**
   * How long a taken task stays invisible to other replicas while this one polls it; when a replica dies mid-tick,
   * its tasks come due again after this. Make it longer than a tick can take (a poll can take the client's
   * `timeoutMs × (retries + 1)` plus back-off): a lease that lapses mid-tick lets another replica poll the task too
   * (its handlers still run once: the receiver dedupes). Default 600 000.
   */
  leaseMs?: number;
  /** Clock in Unix ms (tests). Default `Date.now`. */
  now?: () => number;
  /** Default: `consoleLogger()`. */
  logger?: KlingLogger;
  /** Where its spans and metrics go. Default: the globally registered OpenTelemetry providers (none: nothing). */
  telemetry?: KlingTelemetryOptions;
}

/** What one tick did (the counts are per task; `dispatched` counts events that reached handlers). */
export interface KlingReconcileReport {
  /** Tasks taken from the store as due. */
  taken: number;
  /** Tasks whose terminal event had already been processed (a callback came): dropped without a poll. */
  alreadyDone: number;
  /** Tasks asked from Kling. */
  polled: number;
  /** Poll results the receiver dispatched to handlers (not duplicates). */
  dispatched: number;
  /** Tasks found terminal and removed from pending. */
  completed: number;
  /** Tasks put back with a later `dueAt` (still running, too young, or failed to poll or process). */
  rescheduled: number;
  /** Polls or handler runs that failed (the task was rescheduled). */
  failed: number;
  /** Tasks dropped after `maxAttempts` polls. */
  gaveUp: number;
}

/** A running (or stopped) poll-fallback loop. */
export interface KlingReconciler {
  /** Starts ticking: one tick at once, then one `intervalMs` after each tick ends. The timer never keeps Node up. */
  start(): void;
  /** Stops ticking and resolves once the tick in flight (if any) has finished. */
  stop(): Promise<void>;
  /**
   * Runs one tick now (or joins the one in flight) and reports what it did. Rejects only when the store cannot hand
   * out due tasks; failures of single tasks are counted in the report and logged.
   */
  tick(): Promise<KlingReconcileReport>;
  /** Whether `start` was called and `stop` not yet. */
  readonly running: boolean;
}
