import type { KlingLogger, KlingReceiver, KlingReceiverOptions } from '@kling-webhooks/core';

/**
 * Options of the `klingWebhooks` plugin: where the callback route is, and either the receiver options (a receiver is
 * created) or a receiver made elsewhere with `createKlingReceiver` (shared with a reconciler, say).
 */
export type KlingFastifyOptions = {
  /** Path of the callback route (under the prefix of the context it is registered in). */
  path: string;
} & (
  | (KlingReceiverOptions & { receiver?: undefined })
  | { /** A receiver to use instead of creating one. */ receiver: KlingReceiver; logger?: KlingLogger }
);
