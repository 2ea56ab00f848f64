import { KlingHandlerError, KlingQueueError, KlingStoreError } from '../errors.js';
import type { KlingTaskEvent } from '../event.js';
import type { KlingLogger } from '../logger.js';
import type { KlingEventQueue } from '../queue/types.js';
import { eventRef, klingIdempotencyKey } from '../store/event-ref.js';
import type {
  KlingClaimOptions,
  KlingClaimResult,
  KlingCompleteOptions,
  KlingDedupeStore,
  KlingEventRef,
} from '../store/types.js';
import { traceCarrier } from '../telemetry/carrier.js';
import type { DispatchResult } from '../telemetry/dispatch.js';
import { BUDGET_SPENT, withinBudget } from './budget.js';
import { describeError, type HandlerRegistry } from './handlers.js';
import type { KlingProcessOutcome } from './types.js';

/** A store failure as the error the contract promises (a store may reject with anything). */
export function asStoreError(error: unknown, operation: string): KlingStoreError {
  return error instanceof KlingStoreError ? error : new KlingStoreError(`store ${operation} failed`, { cause: error });
}

/**
 * Claim → dispatch → complete/release for one event: the part of the pipeline shared by HTTP deliveries
 * (`receiver.handle`) and poll results (`receiver.process`).
 */
export class EventProcessor {
  /** One frozen object per receiver: no allocation per request. */
  private readonly claimOptions: KlingClaimOptions;
  private readonly completeOptions: KlingCompleteOptions;

  constructor(
    private readonly store: KlingDedupeStore,
    private readonly registry: HandlerRegistry,
    private readonly logger: KlingLogger,
    leaseMs: number,
    dedupeTtlMs: number,
    private readonly queue: KlingEventQueue | undefined,
    private readonly enqueueBudgetMs: number,
    /** How `process` runs an event's handlers (the receiver observes them); default straight to the registry. */
    private readonly dispatch: (event: KlingTaskEvent) => DispatchResult = (event) => registry.dispatch(event),
  ) {
    this.claimOptions = Object.freeze({ leaseMs, ttlMs: Math.max(leaseMs, dedupeTtlMs) });
    this.completeOptions = Object.freeze({ ttlMs: dedupeTtlMs });
  }

  /** Claims `ref`; the store answers `superseded` once the task has ended. Rejects when the store fails. */
  claim(ref: KlingEventRef): Promise<KlingClaimResult> {
    return this.store.claim(ref, this.claimOptions);
  }

  /**
   * Waits for the dispatch, then completes the claim (success) or releases it (failure, so a redelivery can run the
   * event again). Never rejects: store failures here are logged (to `logger`, default the processor's) and reported,
   * since the sender's answer no longer depends on them. Resolves with the handler failure, if any.
   */
  async finish(
    event: KlingTaskEvent,
    ref: KlingEventRef,
    token: string,
    dispatched: KlingHandlerError | undefined | Promise<KlingHandlerError | undefined>,
    logger = this.logger,
  ): Promise<KlingHandlerError | undefined> {
    let failure: KlingHandlerError | undefined;
    try {
      failure = await dispatched;
    } catch (error) {
      // Only a logger or listener that throws gets here; treat it as a failed dispatch so the lease is released.
      failure = new KlingHandlerError(klingIdempotencyKey(event), { cause: error });
    }
    if (failure === undefined) {
      try {
        const held = await this.store.complete(ref, token, this.completeOptions);
        if (!held) {
          logger.warn('another delivery took the event over after the lease lapsed; it completes the event', {
            taskId: event.taskId,
            status: ref.status,
          });
        }
      } catch (error) {
        // The handlers did their work: the sender still gets a success, or it would deliver (and run) it again.
        this.storeFailed(error, 'complete', event, logger);
      }
      return undefined;
    }
    try {
      await this.store.release(ref, token);
    } catch (error) {
      // The lease lapses after leaseMs; a redelivery after that runs the event again.
      this.storeFailed(error, 'release', event, logger);
    }
    return failure;
  }

  /** Whether claimed events go to a queue instead of the handlers. */
  get queued(): boolean {
    return this.queue !== undefined;
  }

  /**
   * Hands a claimed event to the queue, then releases the claim. From then on the queue's entry stands for the event
   * (one entry per key, so a redelivery that claims again queues nothing new), and the worker claims the event again
   * when it runs it: completion is recorded with the worker's own claim, so a lease that lapses while the job waits
   * changes nothing. Holding the claim instead would leave the worker waiting for its lease. Rejects with
   * `KlingQueueError` (the claim released as well) when the queue did not store the event within `budgetMs`.
   */
  async enqueue(
    event: KlingTaskEvent,
    ref: KlingEventRef,
    token: string,
    budgetMs = this.enqueueBudgetMs,
    logger = this.logger,
  ): Promise<void> {
    const queue = this.queue as KlingEventQueue;
    let failure: KlingQueueError | undefined;
    const key = klingIdempotencyKey(event);
    const trace = traceCarrier();
    try {
      const stored = await withinBudget(
        queue.enqueue(trace === undefined ? { key, event } : { key, event, trace }).then(
          () => undefined,
          (error: unknown) => new KlingQueueError('the queue did not store the event', { cause: error }),
        ),
        budgetMs,
      );
      failure = stored === BUDGET_SPENT ? new KlingQueueError('the queue did not store the event in time') : stored;
    } catch (error) {
      failure = new KlingQueueError('the queue did not store the event', { cause: error });
    }
    try {
      await this.store.release(ref, token);
    } catch (error) {
      // The lease lapses after leaseMs: until then a worker that takes the job waits for it.
      logger.warn('store release after enqueue failed; the worker waits for the lease', {
        taskId: event.taskId,
        status: ref.status,
        error: describeError(error),
      });
    }
    if (failure !== undefined) throw failure;
  }

  /** Claims `ref` for `process` and `run`: a store failure becomes the `KlingStoreError` they reject with. */
  private async claimOrThrow(ref: KlingEventRef): Promise<KlingClaimResult> {
    try {
      return await this.claim(ref);
    } catch (error) {
      throw asStoreError(error, 'claim');
    }
  }

  /**
   * Runs `event` through claim, then the queue when there is one, else dispatch and complete, without HTTP. Rejects
   * with the handler failure (after the release), with `KlingStoreError` when the claim fails, or with
   * `KlingQueueError` when the queue does not store the event.
   */
  async process(event: KlingTaskEvent): Promise<KlingProcessOutcome> {
    if (this.queue === undefined) return this.run(event);
    const ref = eventRef(event);
    const claim = await this.claimOrThrow(ref);
    if (claim.state === 'done') return 'duplicate';
    if (claim.state !== 'claimed') return claim.state;
    await this.enqueue(event, ref, claim.token);
    return 'queued';
  }

  /**
   * Claim, dispatch and complete, whether or not there is a queue (what `process` does without one, and what a queue
   * worker runs for each job). Rejects like `process`.
   */
  async run(event: KlingTaskEvent): Promise<KlingProcessOutcome> {
    const ref = eventRef(event);
    const claim = await this.claimOrThrow(ref);
    if (claim.state === 'done') return 'duplicate';
    if (claim.state === 'superseded') return 'superseded';
    if (claim.state === 'in-flight') return 'in-flight';
    const failure = await this.finish(event, ref, claim.token, this.dispatch(event));
    if (failure !== undefined) throw failure;
    return 'processed';
  }

  private storeFailed(error: unknown, operation: string, event: KlingTaskEvent, logger: KlingLogger): void {
    const storeError = asStoreError(error, operation);
    logger.error(`store ${operation} failed`, {
      taskId: event.taskId,
      status: event.status,
      error: describeError(error),
    });
    this.registry.report(storeError, event, logger);
  }
}
