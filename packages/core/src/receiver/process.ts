import { KlingHandlerError, KlingStoreError } from '../errors.js';
import type { KlingTaskEvent } from '../event.js';
import type { KlingLogger } from '../logger.js';
import { eventRef, klingIdempotencyKey } from '../store/event-ref.js';
import type {
  KlingClaimOptions,
  KlingClaimResult,
  KlingCompleteOptions,
  KlingDedupeStore,
  KlingEventRef,
} from '../store/types.js';
import type { DispatchResult } from '../telemetry/dispatch.js';
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

  /**
   * Runs `event` through claim, dispatch and complete without HTTP. Rejects with the handler failure (after the
   * release) or with `KlingStoreError` when the claim fails.
   */
  async process(event: KlingTaskEvent): Promise<KlingProcessOutcome> {
    const ref = eventRef(event);
    let claim: KlingClaimResult;
    try {
      claim = await this.claim(ref);
    } catch (error) {
      throw asStoreError(error, 'claim');
    }
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
