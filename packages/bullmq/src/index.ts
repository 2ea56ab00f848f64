export type { KlingJobData } from './job.js';
export { DEFAULT_QUEUE_NAME, klingJobId } from './job.js';
export type { BullmqQueueOptions, KlingBackoffOptions, KlingBullmqQueue } from './queue.js';
export { bullmqQueue } from './queue.js';
export type { RequeueFailedOptions } from './requeue.js';
export { requeueFailed } from './requeue.js';
export type {
  KlingBullmqWorkerSettings,
  KlingWorker,
  KlingWorkerBaseOptions,
  KlingWorkerHandlers,
  KlingWorkerOptions,
} from './worker.js';
export { createKlingWorker, klingWorker } from './worker.js';
