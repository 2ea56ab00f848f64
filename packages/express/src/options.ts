import type { KlingLogger, KlingReceiver, KlingReceiverOptions } from '@kling-webhooks/core';

/**
 * Options of `klingWebhooks`: where the callback route is, and either the receiver options (a receiver is created)
 * or a receiver made elsewhere with `createKlingReceiver` (shared with a reconciler, say).
 */
export type KlingExpressOptions = {
  /** Path of the callback route, relative to where the middleware is mounted. */ path: string;
} & (
  | (KlingReceiverOptions & { receiver?: undefined })
  | { /** A receiver to use instead of creating one. */ receiver: KlingReceiver; logger?: KlingLogger }
);
