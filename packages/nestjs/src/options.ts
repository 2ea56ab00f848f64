import type { KlingReceiverOptions } from '@kling-webhooks/core';

/** Options of `KlingModule.forRoot` (and what a `forRootAsync` factory returns). */
export interface KlingModuleOptions extends KlingReceiverOptions {
  /**
   * Absolute path of the callback route, e.g. `/webhooks/kling`. Mounted as given: Nest's global prefix does not
   * apply. Every method reaches the receiver there (it answers 405 to all but POST).
   */
  path: string;
}
