import { KlingConfigError, type KlingEventQueue, type KlingLogger, type KlingQueuedEvent } from '@kling-webhooks/core';
import { type ConnectionOptions, type KeepJobs, Queue } from 'bullmq';
import { DEFAULT_QUEUE_NAME, jobData, type KlingJobData, klingJobId } from './job.js';
import { type RequeueFailedOptions, requeueFailed } from './requeue.js';

/** How a failed attempt is retried: BullMQ's built-in `exponential` or `fixed` back-off. */
export interface KlingBackoffOptions {
  type: 'exponential' | 'fixed';
  /** Milliseconds before the first retry (exponential: doubled each time). */
  delay: number;
}

/** Options of `bullmqQueue`: either `connection` (the queue opens its own connection) or a `queue` of yours. */
export interface BullmqQueueOptions {
  /**
   * How to reach Redis (ioredis options, or a client): a `Queue` is created on it. When options are given, the
   * connection is made with `enableOfflineQueue: false`, so an event is refused at once while Redis is down (503)
   * instead of waiting in memory, where a crash would lose it.
   */
  connection?: ConnectionOptions;
  /** A BullMQ `Queue` you made (its name and prefix are used; `name` and `prefix` are ignored). */
  queue?: Queue;
  /** Queue name. Default `kling-events`. Workers must use the same. */
  name?: string;
  /** BullMQ key prefix. Default BullMQ's (`bull`). Workers must use the same. */
  prefix?: string;
  /** Runs of a job before it stays in the failed set. Default 5. */
  attempts?: number;
  /** Back-off between attempts. Default exponential from 1000 ms. */
  backoff?: KlingBackoffOptions;
  /**
   * Which completed jobs BullMQ keeps. Default `true` (removed at once: the dedupe store remembers the event as done
   * for `dedupeTtlMs`, and a redelivery is answered `duplicate` from it).
   */
  removeOnComplete?: boolean | number | KeepJobs;
  /** Which failed jobs BullMQ keeps. Default `false`: every failed job stays, with its event and error, until re-queued. */
  removeOnFail?: boolean | number | KeepJobs;
  /** Where to log connection errors (once per outage). Default: nothing. */
  logger?: KlingLogger;
}

/** The queue `bullmqQueue` returns: a `KlingEventQueue` for the receiver, plus the BullMQ queue and tools. */
export interface KlingBullmqQueue extends KlingEventQueue {
  /** The BullMQ queue the jobs go to. */
  readonly queue: Queue<KlingJobData>;
  /** Moves failed jobs back to waiting with their attempts reset; resolves with how many were moved. */
  requeueFailed(options?: RequeueFailedOptions): Promise<number>;
  /** Closes the queue if `bullmqQueue` created it (a queue you passed in stays open). */
  close(): Promise<void>;
}

function positiveInteger(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new KlingConfigError(`bullmqQueue: ${name} must be a positive whole number`);
  }
  return value;
}

/** Queue connection options: fail fast instead of buffering commands while Redis is down. */
export function failFast(connection: ConnectionOptions): ConnectionOptions {
  if (typeof connection !== 'object' || connection === null) return connection;
  // A client instance (it has methods) is used as given; plain options get the offline queue turned off.
  if (typeof (connection as { connect?: unknown }).connect === 'function') return connection;
  return { ...connection, enableOfflineQueue: false } as ConnectionOptions;
}

/**
 * A BullMQ queue for `createKlingReceiver({ queue })` (and the adapters' and `KlingModule`'s `queue` option): each
 * verified, claimed event becomes one job whose id derives from the event's dedupe key, so the same event is queued
 * once even when two replicas add it at once. The receiver answers 200 once Redis has the job. Run the handlers with
 * `createKlingWorker` on the same queue name and prefix.
 *
 * @example
 * ```ts
 * import { bullmqQueue } from '@kling-webhooks/bullmq';
 *
 * const queue = bullmqQueue({ connection: { host: '127.0.0.1', port: 6379 }, attempts: 8 });
 * ```
 */
export function bullmqQueue(options: BullmqQueueOptions): KlingBullmqQueue {
  if (
    typeof options !== 'object' ||
    options === null ||
    (options.connection === undefined) === (options.queue === undefined)
  ) {
    throw new KlingConfigError('bullmqQueue: give either `connection` or `queue`');
  }
  const attempts = positiveInteger(options.attempts, 'attempts', 5);
  const backoff = options.backoff ?? { type: 'exponential', delay: 1000 };
  const owned = options.queue === undefined;
  const queue: Queue<KlingJobData> =
    (options.queue as Queue<KlingJobData> | undefined) ??
    new Queue<KlingJobData>(options.name ?? DEFAULT_QUEUE_NAME, {
      connection: failFast(options.connection as ConnectionOptions),
      ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    });
  if (owned) {
    // Without a listener an 'error' event would crash the process; the receiver's 503s say the rest.
    let down = false;
    queue.on('error', (error) => {
      if (down) return;
      down = true;
      options.logger?.error('bullmq queue connection error', { error: `${error.name}: ${error.message}` });
      setTimeout(() => {
        down = false;
      }, 10_000).unref();
    });
  }
  const jobOptions = Object.freeze({
    attempts,
    backoff,
    removeOnComplete: options.removeOnComplete ?? true,
    removeOnFail: options.removeOnFail ?? false,
  });
  return {
    queue,
    async enqueue(job: KlingQueuedEvent): Promise<void> {
      // An existing job with this id (waiting, active, delayed or failed) makes `add` a no-op: queued once.
      await queue.add(job.event.status, jobData(job), { ...jobOptions, jobId: klingJobId(job.key) });
    },
    requeueFailed: (requeueOptions) => requeueFailed(queue, requeueOptions),
    async close(): Promise<void> {
      if (owned) await queue.close();
    },
  };
}
