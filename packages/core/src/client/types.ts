import type { KlingTaskEvent } from '../event.js';
import type { KlingLogger } from '../logger.js';
import type { KlingValidationError } from '../schemas/validation-error.js';
import type { KlingPendingTasks, KlingTaskPairings } from '../store/types.js';
import type { KlingApiDialect } from './products.js';

/** Where Kling should POST a task's states, added to every task `createTask` makes. */
export interface KlingCallbackOptions {
  /** Your receiver's URL, e.g. `https://example.com/webhooks/kling`. */
  url: string;
  /**
   * The `callbackToken` secret: each task's URL then carries a signed token bound to its external task id (for
   * deployments where Kling's own signing is off). Leave unset when you verify Kling's signatures.
   */
  secret?: string | undefined;
  /** Token lifetime (seconds, or a jose duration such as `'2d'`); it must outlast the task's last callback. */
  expiresIn?: number | string | undefined;
}

/** Options of `new KlingClient(auth, options)`. */
export interface KlingClientOptions {
  /** API host. Default `https://api-singapore.klingai.com`; China: `https://api-beijing.klingai.com`. */
  baseUrl?: string;
  /** Adds a `callback_url` (and a callback token) to every task created. */
  callback?: KlingCallbackOptions;
  /** Where created tasks are recorded as pending for the reconciler. Without one nothing is tracked. */
  store?: KlingPendingTasks & Partial<KlingTaskPairings>;
  /**
   * How long the pairing of a created task's external id with its Kling task id is kept (when `store` keeps
   * pairings): a callback token bound to the external id is accepted only for that task, and only while the pairing
   * is known. Keep it longer than the callback token lives. Default 30 days.
   */
  pairingTtlMs?: number;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Per attempt, body included. Default 30 000. */
  timeoutMs?: number;
  /** Retries of a GET after a network error, timeout, 429 or 5xx (never of a POST). Default 3. */
  retries?: number;
  /** First retry waits up to this long (full jitter, doubling). Default 500. */
  retryBaseMs?: number;
  /** No retry waits longer. Default 10 000. */
  retryMaxMs?: number;
  /** A created task is first polled this long after creation unless a terminal callback came. Default 300 000. */
  fallbackAfterMs?: number;
  /** Task ids per `GET /tasks?task_ids=` request. Default 50. */
  queryBatchSize?: number;
  /** Clock in Unix ms (tests). Default `Date.now`. */
  now?: () => number;
  /** Random source in [0, 1) for retry jitter (tests). Default `Math.random`. */
  random?: () => number;
  /** Default: `consoleLogger()` (warnings and errors only come from the client). */
  logger?: KlingLogger;
}

/** A request body for `createTask`: the product's documented fields, passed through unchanged. */
export type KlingTaskBody = Record<string, unknown>;

/**
 * `B` with every value that is a promise, at any depth, typed `never`. `createTask` takes `B & KlingNoPromises<B>`,
 * so a body holding an un-awaited promise does not compile: `callback_url: signCallbackUrl(...)` without `await`
 * would otherwise be sent as `{}`.
 */
export type KlingNoPromises<B> =
  B extends PromiseLike<unknown> ? never : B extends object ? { [K in keyof B]: KlingNoPromises<B[K]> } : B;

/** What `createTask` returns. */
export interface KlingCreatedTask extends Pick<KlingTaskEvent, 'taskId' | 'status' | 'rawStatus' | 'createdAt'> {
  /** The external task id sent (yours, or the one generated): callbacks and queries carry it. */
  externalTaskId: string;
  /** Product path as given (without a leading `v1/`). */
  product: string;
  dialect: KlingApiDialect;
  /** Kling's `request_id` of the create call. */
  requestId: string | undefined;
  /** Whether the task was recorded as pending in the store (false without a store, or when the store failed). */
  tracked: boolean;
  /** The create response's `data`, normalized. */
  event: KlingTaskEvent;
}

/** Options of `getTasks`. */
export interface KlingGetTasksOptions {
  /** Whether `ids` are Kling task ids (default) or your external task ids. */
  by?: 'taskId' | 'externalTaskId';
  /**
   * Called once for each task of an answer that cannot be read (the others are still returned). Without it, the
   * client logs a warning naming the task.
   */
  onInvalid?: (task: KlingInvalidTask) => void;
}

/** A task that Kling returned in a query answer but that is not a task body this library can read. */
export interface KlingInvalidTask {
  /** Its `task_id` (legacy) or `id` (new dialect), when it has one that is a string or a number. */
  taskId: string | undefined;
  /** Why it was refused; `path` names the first bad field. */
  error: KlingValidationError;
}
