import type { KlingEventOf, KlingEventStatus, KlingStatus, KlingStatusAlias, KlingTaskEvent } from '../event.js';
import type { KlingLogger } from '../logger.js';
import type { KlingEventQueue } from '../queue/types.js';
import type { KlingRequest, KlingResponse } from '../request.js';
import type { KlingDedupeStore, KlingTaskPairings } from '../store/types.js';
import type { KlingVerifyOption } from '../verify/types.js';

/**
 * What handlers can subscribe to: a known status, `'succeeded'` (the same as `'succeed'`), or `'*'` for every event
 * (unknown statuses included).
 */
export type KlingHandlerStatus = KlingStatus | KlingStatusAlias | '*';

/** The event a handler for `S` receives. */
export type KlingHandlerEvent<S extends KlingHandlerStatus> = S extends '*'
  ? KlingTaskEvent
  : S extends KlingEventStatus | KlingStatusAlias
    ? KlingEventOf<S>
    : never;

/**
 * A handler for status `S`. It may return anything: a promise is awaited (up to the ack budget), any other value is
 * ignored, so methods that return what they stored (as Nest methods and Octokit handlers often do) fit. Throwing (or
 * rejecting) makes the delivery fail so it can be delivered again.
 */
export type KlingHandler<S extends KlingHandlerStatus> = (event: KlingHandlerEvent<S>) => unknown;

/** Called with every handler failure and every failure after a 202 (which the sender never sees). */
export type KlingErrorHandler = (error: unknown, event: KlingTaskEvent | undefined) => void;

/** Options of `createKlingReceiver`. */
export interface KlingReceiverOptions {
  /** How requests are verified. Required: write `'none'` to opt out. */
  verify: KlingVerifyOption;
  /**
   * Dedupe store. Default: `memoryStore()` (one process only: use `redisStore` with several replicas). When it also
   * keeps task pairings (`memoryStore` and `redisStore` do), share it with the `KlingClient` that creates the tasks:
   * a callback token bound to an external id is accepted only for the task the client recorded for it.
   */
  store?: KlingDedupeStore & Partial<KlingTaskPairings>;
  /**
   * Asked which Kling task an external id names when a callback token is bound to an external id the store has no
   * pairing for (tasks created elsewhere, or the pairing expired), e.g. `(ext) => kling.findTaskId(ext)`; the answer
   * is recorded. Without it such callbacks get 503 (the sender retries; the reconciler polls tasks the client made).
   */
  lookupTask?: (externalTaskId: string) => Promise<string | undefined>;
  /** After this long the receiver answers 202 and lets handlers finish. Default 4000 (Kling waits about 5 s). */
  ackTimeoutMs?: number;
  /** Larger bodies get 413 and are not read further. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * A streamed body must arrive in full within this long after the receiver starts reading it; a slower one gets 408
   * and its connection is closed, so a sender trickling bytes cannot hold the receiver. Default 10000 (a callback is
   * a few KB, and Kling gives up after about 5 s anyway).
   */
  bodyTimeoutMs?: number;
  /** How long a processed event is remembered as a duplicate. Default 7 days. */
  dedupeTtlMs?: number;
  /** How long one delivery may hold an event before another may take it over. Default 5 minutes. */
  leaseMs?: number;
  /** Where to log. Default: nothing below warn, through `console`. */
  logger?: KlingLogger;
  /**
   * Durable hand-off (e.g. `bullmqQueue(...)` from `@kling-webhooks/bullmq`). With a queue, handlers never run in the
   * request: a verified, claimed event is enqueued and answered 200 once stored (503 when it cannot be stored, the
   * claim released), and `process` enqueues too; workers run the handlers through `runQueued`. Default: none
   * (handlers run in the request).
   */
  queue?: KlingEventQueue;
}

/**
 * Result of processing one event outside HTTP (e.g. a poll result): `queued` when the receiver has a queue and
 * handed the event to it (workers run the handlers).
 */
export type KlingProcessOutcome = 'processed' | 'duplicate' | 'in-flight' | 'superseded' | 'accepted' | 'queued';

/** The framework-neutral receiver adapters wrap. */
export interface KlingReceiver {
  /** Adds a handler for one status (`'succeeded'` and `'succeed'` alike), or `'*'`. */
  on<S extends KlingHandlerStatus>(status: S, handler: KlingHandler<S>): this;
  /** Removes a handler added with `on` (under either spelling of `succeed`). */
  off<S extends KlingHandlerStatus>(status: S, handler: KlingHandler<S>): this;
  /** Adds an error listener. */
  onError(listener: KlingErrorHandler): this;
  /** Runs one HTTP request through the pipeline; never rejects. */
  handle(request: KlingRequest): Promise<KlingResponse>;
  /**
   * Runs an already-normalized event (a poll result) through the same dedupe and dispatch as a callback. Rejects
   * when a handler fails (the lease is released first) or the store is down.
   */
  process(event: KlingTaskEvent): Promise<KlingProcessOutcome>;
  /**
   * Runs an event taken from the queue (what queue workers call): claim, the handlers, then complete, as `process`
   * does without a queue, whether or not this receiver has one. Resolves `processed`, `duplicate` (done before),
   * `superseded` (its task ended: the handlers are not called) or `in-flight` (another holder has the event's lease:
   * try again later); rejects with `KlingHandlerError` when a handler failed (the claim released first) or with
   * `KlingStoreError` when the store is down.
   */
  runQueued(event: KlingTaskEvent): Promise<KlingProcessOutcome>;
  /** The resolved options adapters need (limits and the store). */
  readonly options: Readonly<Required<Omit<KlingReceiverOptions, 'verify' | 'lookupTask' | 'queue'>>> & {
    verify: KlingVerifyOption;
    lookupTask?: KlingReceiverOptions['lookupTask'];
    queue?: KlingEventQueue;
  };
}
