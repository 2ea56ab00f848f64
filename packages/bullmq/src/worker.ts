import { setTimeout as sleep } from 'node:timers/promises';
import {
  consoleLogger,
  createKlingReceiver,
  KlingConfigError,
  type KlingDedupeStore,
  type KlingHandler,
  KlingHandlerError,
  type KlingHandlerStatus,
  type KlingLogger,
  type KlingProcessOutcome,
  type KlingReceiver,
} from '@kling-webhooks/core';
import { type ConnectionOptions, DelayedError, type Job, Worker, type WorkerOptions } from 'bullmq';
import { DEFAULT_QUEUE_NAME, eventOf, type KlingJobData } from './job.js';

/** Handlers by status, for a worker made without a receiver. */
export type KlingWorkerHandlers = { [S in KlingHandlerStatus]?: KlingHandler<S> };

/** BullMQ worker settings passed through (lock and stall detection, rate limits, ...). */
export type KlingBullmqWorkerSettings = Omit<WorkerOptions, 'connection' | 'concurrency' | 'prefix' | 'autorun'>;

/** Options shared by `createKlingWorker` and `klingWorker`. */
export interface KlingWorkerBaseOptions {
  /** How to reach Redis (ioredis options, or a client). */
  connection: ConnectionOptions;
  /** Queue name; the same as the queue's. Default `kling-events`. */
  name?: string;
  /** BullMQ key prefix; the same as the queue's. Default BullMQ's. */
  prefix?: string;
  /** Jobs run at once by this worker. Default 1. */
  concurrency?: number;
  /**
   * How long a job waits when its event's claim is held elsewhere (a web replica between storing the job and
   * releasing its claim, or a worker that died holding it, until its lease lapses). Default 1000 ms.
   */
  inFlightDelayMs?: number;
  /** Where to log. Default: the receiver's logger (with `handlers`: `consoleLogger()`, warnings and errors). */
  logger?: KlingLogger;
  /** More BullMQ worker settings (`lockDuration`, `stalledInterval`, `maxStalledCount`, `limiter`, ...). */
  settings?: KlingBullmqWorkerSettings;
}

/** Options of `createKlingWorker`: the handlers come from `receiver`, or from `handlers` + `store`. */
export type KlingWorkerOptions = KlingWorkerBaseOptions &
  (
    | {
        /** The receiver whose handlers run (its store records completion). */
        receiver: KlingReceiver;
        handlers?: undefined;
        store?: undefined;
        leaseMs?: undefined;
      }
    | {
        receiver?: undefined;
        /** Handlers by status (`succeed`, `failed`, `'*'`, ...). */
        handlers: KlingWorkerHandlers;
        /** The dedupe store the web side uses (e.g. `redisStore`): completion is recorded there. */
        store: KlingDedupeStore;
        /** Lease of a worker's claim (how long a killed worker holds its event). Default 5 minutes. */
        leaseMs?: number;
      }
  );

/** A running worker. */
export interface KlingWorker {
  /** The BullMQ worker (for its events: `completed`, `failed`, ...). */
  readonly worker: Worker<KlingJobData, KlingProcessOutcome>;
  /** The receiver whose handlers it runs. */
  readonly receiver: KlingReceiver;
  /** Waits for the running jobs to finish, then closes the worker's connections. */
  close(): Promise<void>;
}

/** Waits before asking again for a claim held by a web replica that is about to release it. */
const INLINE_RETRIES_MS = [10, 40, 150];

function receiverOf(options: KlingWorkerOptions): KlingReceiver {
  if (options.receiver !== undefined) return options.receiver;
  if (typeof options.handlers !== 'object' || options.handlers === null || options.store === undefined) {
    throw new KlingConfigError('createKlingWorker: give `receiver`, or `handlers` and `store`');
  }
  // Never mounted on a route: it only runs jobs, which were verified before they were queued.
  const receiver = createKlingReceiver({
    verify: 'none',
    store: options.store,
    logger: options.logger ?? consoleLogger(),
    // No HTTP answer to time here: the ack budget only has to stay under the lease, as the receiver checks.
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs, ackTimeoutMs: options.leaseMs / 2 }),
  });
  for (const [status, handler] of Object.entries(options.handlers)) {
    if (handler !== undefined) receiver.on(status as KlingHandlerStatus, handler as KlingHandler<KlingHandlerStatus>);
  }
  return receiver;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
}

/**
 * Runs the receiver's handlers (`on('succeed')`, `'*'`, ...) for the events a `bullmqQueue` stored, in any number of
 * processes. Each job claims its event in the dedupe store, runs the handlers and completes the event there, then
 * the job completes. A handler that throws releases the claim and fails the attempt: BullMQ retries it with the
 * queue's back-off, and after the last attempt the job stays in the failed set with its event and error
 * (`queue.requeueFailed()` or `kling-bullmq requeue-failed` puts it back). An event already done, or whose task has
 * ended (out-of-order), completes its job without calling a handler. A worker killed mid-job: BullMQ hands the job to
 * another worker once its lock lapses, which waits for the killed worker's claim lease (`leaseMs`) and runs it.
 *
 * @example
 * ```ts
 * import { createKlingWorker } from '@kling-webhooks/bullmq';
 * import { createKlingReceiver } from '@kling-webhooks/core';
 * import { redisStore } from '@kling-webhooks/redis';
 * import { Redis } from 'ioredis';
 *
 * const store = redisStore({ client: new Redis(process.env.REDIS_URL!) });
 * const receiver = createKlingReceiver({ verify: 'none', store }); // only runs jobs; never mounted
 * receiver.on('succeed', async (event) => saveVideos(event));
 * const worker = createKlingWorker({ receiver, connection: { host: '127.0.0.1', port: 6379 }, concurrency: 8 });
 * process.on('SIGTERM', () => void worker.close());
 * ```
 */
export function createKlingWorker(options: KlingWorkerOptions): KlingWorker {
  if (typeof options !== 'object' || options === null || options.connection === undefined) {
    throw new KlingConfigError('createKlingWorker: `connection` is required');
  }
  const receiver = receiverOf(options);
  const logger = options.logger ?? receiver.options.logger;
  const inFlightDelayMs = options.inFlightDelayMs ?? 1000;
  if (!Number.isFinite(inFlightDelayMs) || inFlightDelayMs <= 0) {
    throw new KlingConfigError('createKlingWorker: inFlightDelayMs must be a positive number');
  }

  const processJob = async (job: Job<KlingJobData>, token?: string): Promise<KlingProcessOutcome> => {
    const event = eventOf(job.data);
    let outcome: KlingProcessOutcome;
    try {
      outcome = await receiver.runQueued(event);
      for (const waitMs of INLINE_RETRIES_MS) {
        if (outcome !== 'in-flight') break;
        await sleep(waitMs);
        outcome = await receiver.runQueued(event);
      }
    } catch (error) {
      if (error instanceof KlingHandlerError) {
        // The job's failedReason is this message: say what the handler threw, not only that it threw.
        throw new Error(`${error.message}: ${describe(error.cause)}`, { cause: error.cause });
      }
      throw error;
    }
    if (outcome === 'in-flight') {
      // Held elsewhere: wait without spending an attempt.
      logger.debug('event claimed elsewhere; job delayed', { taskId: event.taskId, status: event.status });
      await job.moveToDelayed(Date.now() + inFlightDelayMs, token);
      throw new DelayedError();
    }
    if (outcome === 'superseded') {
      logger.info('task already ended; queued event not dispatched', { taskId: event.taskId, status: event.status });
    }
    return outcome;
  };

  const worker = new Worker<KlingJobData, KlingProcessOutcome>(options.name ?? DEFAULT_QUEUE_NAME, processJob, {
    ...options.settings,
    connection: options.connection,
    concurrency: options.concurrency ?? 1,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
  });
  let down = false;
  // Without a listener an 'error' event would crash the process; BullMQ reconnects by itself.
  worker.on('error', (error) => {
    if (down) return;
    down = true;
    logger.error('bullmq worker error; it reconnects by itself', { error: describe(error) });
    setTimeout(() => {
      down = false;
    }, 10_000).unref();
  });
  worker.on('failed', (job, error) => {
    if (job === undefined || error instanceof DelayedError || error.name === 'DelayedError') return;
    const last = job.attemptsMade >= (job.opts.attempts ?? 1);
    const fields = { taskId: job.data.event.taskId, status: job.data.event.status, attempts: job.attemptsMade };
    if (last) logger.error('queued event failed its last attempt; it stays in the failed set', fields);
    else logger.warn('queued event failed; BullMQ retries it', fields);
  });
  return {
    worker,
    receiver,
    close: () => worker.close(),
  };
}

/**
 * A worker factory for `KlingModule.forRoot({ worker })` (NestJS): the module starts it with its receiver once the
 * `@OnKlingSucceeded()` (and other) handlers are subscribed, and closes it on shutdown.
 */
export function klingWorker(options: KlingWorkerBaseOptions): (receiver: KlingReceiver) => KlingWorker {
  return (receiver) => createKlingWorker({ ...options, receiver });
}
