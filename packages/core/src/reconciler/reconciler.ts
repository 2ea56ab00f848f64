import { exponentialDelay } from '../client/backoff.js';
import { wholeNumberOption } from '../client/check.js';
import { KlingApiError } from '../client/errors.js';
import { parseProduct } from '../client/products.js';
import type { KlingInvalidTask } from '../client/types.js';
import { isTerminalStatus, type KlingTaskEvent } from '../event.js';
import { consoleLogger } from '../logger.js';
import { unrefTimer } from '../platform/timer.js';
import { describeError } from '../receiver/handlers.js';
import { KlingValidationError } from '../schemas/validation-error.js';
import type { KlingPendingTask } from '../store/types.js';
import { eachLimit } from './each-limit.js';
import type { KlingReconcileReport, KlingReconciler, ReconcilerOptions } from './types.js';

/**
 * Creates the poll fallback: tasks created through `KlingClient` (recorded as pending in the store) whose terminal
 * callback has not been processed `fallbackAfterMs` after creation are polled, and each result runs through
 * `receiver.process` — the same dedupe and dispatch as a callback, with `source: 'poll'`. A callback that arrives as
 * well is a duplicate there, not a second handler call.
 *
 * How a terminal event from either path ends the polling:
 * - From a poll: the reconciler deletes the pending task once `receiver.process` answers `processed` or `duplicate`
 *   for a terminal state, or `superseded` for any state.
 * - From a callback: the receiver knows nothing of pending tasks. Instead, before polling a due task, the reconciler
 *   asks the store `isTaskDone(taskId)` (one round trip: is the task's terminal marker, which the store sets when a
 *   terminal event is completed, done?). If so a callback already ended the task: the pending entry is deleted
 *   without asking Kling. So a task whose callback arrived costs one store check,
 *   never an API call. (Subscribing a handler to the receiver was the alternative; but a handler that throws would
 *   fail the delivery, and one that runs before the others complete would drop a task whose handling then fails.)
 *
 * Several replicas may run reconcilers on one store: `store.takeDuePending` hands each due task to one of them and
 * hides it for `leaseMs`, so one task is polled by one replica at a time; a replica that dies mid-tick loses its
 * tasks only until the lease lapses. Tasks still running are put back with an exponential back-off (`backoffMs`
 * doubling up to `maxBackoffMs`); a failed poll or handler backs off too; after `maxAttempts` polls a task is dropped
 * with an error log.
 *
 * @example
 * const reconciler = createReconciler({ client: kling, receiver, store });
 * reconciler.start();
 * process.on('SIGTERM', () => void reconciler.stop());
 */
export function createReconciler(options: ReconcilerOptions): KlingReconciler {
  const { client, receiver, store } = options;
  const fallbackAfterMs = nonNegative(options.fallbackAfterMs ?? 300_000, 'fallbackAfterMs');
  const intervalMs = positiveInteger(options.intervalMs ?? 15_000, 'intervalMs');
  const concurrency = positiveInteger(options.concurrency ?? 4, 'concurrency');
  const batchSize = positiveInteger(options.batchSize ?? 50, 'batchSize');
  const maxTasksPerTick = positiveInteger(options.maxTasksPerTick ?? 100, 'maxTasksPerTick');
  const maxAttempts = positiveInteger(options.maxAttempts ?? 100, 'maxAttempts');
  const backoffMs = positiveInteger(options.backoffMs ?? 30_000, 'backoffMs');
  const maxBackoffMs = positiveInteger(options.maxBackoffMs ?? 900_000, 'maxBackoffMs');
  const leaseMs = positiveInteger(options.leaseMs ?? 600_000, 'leaseMs');
  const now = options.now ?? Date.now;
  const logger = options.logger ?? consoleLogger();

  let running = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<KlingReconcileReport> | undefined;

  const runTick = async (): Promise<KlingReconcileReport> => {
    const report: KlingReconcileReport = {
      taken: 0,
      alreadyDone: 0,
      polled: 0,
      dispatched: 0,
      completed: 0,
      rescheduled: 0,
      failed: 0,
      gaveUp: 0,
    };
    const startedAt = now();
    const taken = await store.takeDuePending(startedAt, maxTasksPerTick, leaseMs);
    report.taken = taken.length;

    const reschedule = async (task: KlingPendingTask, attempts: number, dueAt: number): Promise<void> => {
      await store.putPending({ ...task, attempts, dueAt });
      report.rescheduled++;
    };
    const backOff = async (task: KlingPendingTask): Promise<void> => {
      const attempts = task.attempts + 1;
      if (attempts >= maxAttempts) {
        await store.deletePending(task.taskId);
        report.gaveUp++;
        logger.error('task still not terminal after the last poll; no longer polled', {
          taskId: task.taskId,
          product: task.product,
          attempts,
        });
        return;
      }
      await reschedule(task, attempts, now() + exponentialDelay(attempts - 1, backoffMs, maxBackoffMs));
    };
    const settle = async (task: KlingPendingTask, event: KlingTaskEvent | undefined, error?: unknown) => {
      if (event === undefined) {
        report.failed += error === undefined ? 0 : 1;
        logger.warn(pollFailure(error), {
          taskId: task.taskId,
          product: task.product,
          error: describe(error),
        });
        return backOff(task);
      }
      let outcome: Awaited<ReturnType<typeof receiver.process>>;
      try {
        outcome = await receiver.process(event);
      } catch (processError) {
        report.failed++;
        logger.warn('processing a polled event failed', { taskId: task.taskId, error: describe(processError) });
        return backOff(task);
      }
      // `queued`: the receiver has a queue and stored the event there; its workers run (and retry) the handlers.
      const handedOver = outcome === 'processed' || outcome === 'queued';
      if (handedOver) report.dispatched++;
      const terminal = isTerminalStatus(event.status);
      if (outcome === 'superseded' || (terminal && (handedOver || outcome === 'duplicate'))) {
        await store.deletePending(task.taskId);
        report.completed++;
        if (handedOver) logger.info('recovered a task by polling', { taskId: task.taskId });
        return;
      }
      if (terminal) {
        // A callback holds the terminal event right now: look again soon; the probe will then find it done.
        return reschedule(task, task.attempts + 1, now() + backoffMs);
      }
      return backOff(task);
    };
    // One task's store failure must not stop the others: its lease lapses and a later tick takes it again.
    const guard = async (task: KlingPendingTask, fn: () => Promise<unknown>): Promise<void> => {
      try {
        await fn();
      } catch (error) {
        report.failed++;
        logger.error('store failed while reconciling a task', { taskId: task.taskId, error: describe(error) });
      }
    };

    const toPoll: KlingPendingTask[] = [];
    await eachLimit(taken, concurrency, (task) =>
      guard(task, async () => {
        const firstPollAt = task.createdAt + fallbackAfterMs;
        if (firstPollAt > startedAt) return reschedule(task, task.attempts, firstPollAt);
        if (await store.isTaskDone(task.taskId)) {
          await store.deletePending(task.taskId);
          report.alreadyDone++;
          return;
        }
        toPoll.push(task);
      }),
    );

    // New-dialect tasks share batched `GET /tasks?task_ids=` requests; legacy ones are asked one by one.
    const batched: KlingPendingTask[] = [];
    const units: (() => Promise<void>)[] = [];
    for (const task of toPoll) {
      if (dialectOf(task) === 'new') batched.push(task);
      else
        units.push(async () => {
          report.polled++;
          let event: KlingTaskEvent;
          try {
            event = await client.getTask(task.product, task.taskId);
          } catch (error) {
            return guard(task, () => settle(task, undefined, error));
          }
          return guard(task, () => settle(task, event));
        });
    }
    // Each task of a batch stands alone: an unreadable task backs off by itself, and a batch Kling refuses as a
    // whole for its parameters (one id it does not accept) is split in halves until the culprit is alone.
    const pollBatch = async (chunk: KlingPendingTask[]): Promise<void> => {
      let events: KlingTaskEvent[];
      const invalid = new Map<string, KlingInvalidTask>();
      try {
        events = await client.getTasks(
          chunk.map((task) => task.taskId),
          { onInvalid: (task) => void (task.taskId !== undefined && invalid.set(task.taskId, task)) },
        );
      } catch (error) {
        if (chunk.length > 1 && error instanceof KlingApiError && error.category === 'params') {
          const half = Math.ceil(chunk.length / 2);
          await Promise.all([pollBatch(chunk.slice(0, half)), pollBatch(chunk.slice(half))]);
          return;
        }
        for (const task of chunk) await guard(task, () => settle(task, undefined, error));
        return;
      }
      const byId = new Map(events.map((event) => [event.taskId, event]));
      for (const task of chunk) {
        const event = byId.get(task.taskId);
        const unreadable = event === undefined ? invalid.get(task.taskId) : undefined;
        await guard(task, () => settle(task, event, unreadable?.error));
      }
    };
    for (let i = 0; i < batched.length; i += batchSize) {
      const chunk = batched.slice(i, i + batchSize);
      units.push(async () => {
        report.polled += chunk.length;
        await pollBatch(chunk);
      });
    }
    await eachLimit(units, concurrency, (unit) => unit());
    if (report.taken > 0) logger.debug('reconciler tick', { ...report });
    return report;
  };

  const tick = (): Promise<KlingReconcileReport> => {
    inFlight ??= runTick().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const schedule = (delayMs: number): void => {
    timer = setTimeout(() => {
      timer = undefined;
      tick()
        .catch((error: unknown) => logger.error('reconciler tick failed', { error: describe(error) }))
        .finally(() => {
          if (running) schedule(intervalMs);
        });
    }, delayMs);
    unrefTimer(timer);
  };

  return {
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await inFlight?.catch(() => undefined);
    },
    tick,
    get running() {
      return running;
    },
  };
}

/** A product the client could not have recorded is polled as legacy, where `getTask` reports it (and it backs off). */
function dialectOf(task: KlingPendingTask): 'legacy' | 'new' {
  try {
    return parseProduct(task.product).dialect;
  } catch {
    return 'legacy';
  }
}

/** The log message of a poll that gave no event for a task. */
function pollFailure(error: unknown): string {
  if (error === undefined) return 'poll did not return the task';
  if (error instanceof KlingValidationError) return 'poll returned the task in a shape that cannot be read';
  return 'poll failed';
}

function describe(error: unknown): string | undefined {
  return error === undefined ? undefined : describeError(error);
}

const positiveInteger = (value: number, name: string) => wholeNumberOption('createReconciler', name, value, 1);
const nonNegative = (value: number, name: string) => wholeNumberOption('createReconciler', name, value, 0);
