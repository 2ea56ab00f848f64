import type { KlingReceiver, KlingReceiverOptions } from '@kling-webhooks/core';

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
  /**
   * Starts a queue worker with the module's receiver once the decorated handlers are subscribed, and closes it on
   * shutdown: e.g. `klingWorker({ connection })` from `@kling-webhooks/bullmq`, beside `queue: bullmqQueue(...)`. The
   * `@OnKlingSucceeded()` (and other) methods then run in the worker, not in the request. In an application context
   * without HTTP (`NestFactory.createApplicationContext`) the route is not mounted: a worker-only process.
   */
  worker?: KlingModuleWorkerFactory;
}

/** A running queue worker, as `KlingModule` needs it: something to close on shutdown. */
export interface KlingModuleWorker {
  close(): Promise<void>;
}

/** Makes the module's worker from its receiver (`klingWorker(...)` from `@kling-webhooks/bullmq` is one). */
export type KlingModuleWorkerFactory = (receiver: KlingReceiver) => KlingModuleWorker;
