import type { KlingReceiverOptions } from '@kling-webhooks/core';

/** Options of `KlingModule.forRoot` (and what a `forRootAsync` factory returns). */
export interface KlingModuleOptions extends KlingReceiverOptions {
  /**
   * Absolute path of the callback route, e.g. `/webhooks/kling`, under the app's global prefix
   * (`app.setGlobalPrefix('api')` puts it at `/api/webhooks/kling`) unless `useGlobalPrefix` is false or the prefix
   * excludes it. Every method reaches the receiver there (it answers 405 to all but POST).
   */
  path: string;
  /** Whether `app.setGlobalPrefix()` applies to `path`. Default true; false mounts `path` as given. */
  useGlobalPrefix?: boolean;
}
