import type { KlingLogger, KlingReceiver, KlingReceiverOptions } from '@kling-webhooks/core';

/** Keeps work alive after the response: Workers' `ctx.waitUntil`, Next.js's `after`, Vercel's `waitUntil`. */
export type KlingWaitUntil = (work: Promise<unknown>) => void;

/**
 * What the handler uses of its second argument: a Workers `ExecutionContext`, Hono's `c.executionCtx`, or anything
 * with a `waitUntil` method. It wins over the `waitUntil` option for this request.
 */
export interface KlingWebContext {
  waitUntil(work: Promise<unknown>): void;
}

/** Options of `klingWebhooks` that are not the receiver's. */
export interface KlingWebHandlerOptions {
  /**
   * Keeps handlers that outlast `ackTimeoutMs` running after the 202, on runtimes that end a request's work with its
   * response: pass Next.js's `after` here (or give a Workers `ctx` per request as the handler's second argument).
   * Without it the handlers go on only as long as the runtime keeps the process or isolate: fine on Node, Bun and
   * Deno servers; on Workers and edge functions the work may be cut off, and the event is then handled only once its
   * lease (`leaseMs`) ends and someone delivers it again (the reconciler's poll, or a redelivery).
   */
  waitUntil?: KlingWaitUntil;
}

/**
 * Options of `klingWebhooks`: either the receiver options (a receiver is created) or a receiver made elsewhere with
 * `createKlingReceiver` (shared with a reconciler, say), plus `waitUntil`.
 */
export type KlingWebOptions = KlingWebHandlerOptions &
  (
    | (KlingReceiverOptions & { receiver?: undefined })
    | { /** A receiver to use instead of creating one. */ receiver: KlingReceiver; logger?: KlingLogger }
  );
