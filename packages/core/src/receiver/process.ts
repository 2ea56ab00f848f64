import { KlingHandlerError, KlingStoreError } from '../errors.js';
import { isTerminalStatus, type KlingTaskEvent } from '../event.js';
import type { KlingLogger } from '../logger.js';
import { storeKeys } from '../store/keys.js';
import type { KlingClaimOptions, KlingClaimResult, KlingStore } from '../store/types.js';
import { describeError, type HandlerRegistry } from './handlers.js';
import type { KlingProcessOutcome } from './types.js';

/** The dedupe key of an event: its task and status (the raw status for a status this library does not know). */
export function dedupeKey(event: KlingTaskEvent): string {
  return storeKeys.event(event.taskId, event.status === 'unknown' ? event.rawStatus : event.status);
}

/** The key marked done with a task's terminal event; later non-terminal events of the task are superseded by it. */
export function terminalMarker(taskId: string): string {
  return storeKeys.terminal(taskId);
}

/** A store failure as the error the contract promises (a store may reject with anything). */
export function asStoreError(error: unknown, operation: string): KlingStoreError {
  return error instanceof KlingStoreError ? error : new KlingStoreError(`store ${operation} failed`, { cause: error });
}

/**
 * Claim → dispatch → complete/release for one event: the part of the pipeline shared by HTTP deliveries
 * (`receiver.handle`) and poll results (`receiver.process`).
 */
export class EventProcessor {
  private readonly terminalClaim: KlingClaimOptions;

  constructor(
    private readonly store: KlingStore,
    private readonly registry: HandlerRegistry,
    private readonly logger: KlingLogger,
    private readonly leaseMs: number,
    private readonly dedupeTtlMs: number,
  ) {
    this.terminalClaim = Object.freeze({ leaseMs });
  }

  /** Claims `key` for `event`; a non-terminal event is superseded once its task's terminal event is done. Rejects when the store fails. */
  claim(event: KlingTaskEvent, key: string): Promise<KlingClaimResult> {
    return this.store.claim(
      key,
      isTerminalStatus(event.status)
        ? this.terminalClaim
        : { leaseMs: this.leaseMs, supersededBy: terminalMarker(event.taskId) },
    );
  }

  /**
   * Waits for the dispatch, then completes the claim (success) or releases it (failure, so a redelivery can run the
   * event again). Never rejects: store failures here are logged (to `logger`, default the processor's) and reported,
   * since the sender's answer no longer depends on them. Resolves with the handler failure, if any.
   */
  async finish(
    event: KlingTaskEvent,
    key: string,
    token: string,
    dispatched: KlingHandlerError | undefined | Promise<KlingHandlerError | undefined>,
    logger = this.logger,
  ): Promise<KlingHandlerError | undefined> {
    let failure: KlingHandlerError | undefined;
    try {
      failure = await dispatched;
    } catch (error) {
      // Only a logger or listener that throws gets here; treat it as a failed dispatch so the lease is released.
      failure = new KlingHandlerError(key, { cause: error });
    }
    if (failure === undefined) {
      try {
        const held = await this.store.complete(
          key,
          token,
          isTerminalStatus(event.status)
            ? { ttlMs: this.dedupeTtlMs, mark: terminalMarker(event.taskId) }
            : { ttlMs: this.dedupeTtlMs },
        );
        if (!held) {
          logger.warn('lease lapsed before the event was completed; another delivery may run it again', {
            key,
            taskId: event.taskId,
            status: event.status,
          });
        }
      } catch (error) {
        // The handlers did their work: the sender still gets a success, or it would deliver (and run) it again.
        this.storeFailed(error, 'complete', event, key, logger);
      }
      return undefined;
    }
    try {
      await this.store.release(key, token);
    } catch (error) {
      // The lease lapses after leaseMs; a redelivery after that runs the event again.
      this.storeFailed(error, 'release', event, key, logger);
    }
    return failure;
  }

  /**
   * Runs `event` through claim, dispatch and complete without HTTP. Rejects with the handler failure (after the
   * release) or with `KlingStoreError` when the claim fails.
   */
  async process(event: KlingTaskEvent): Promise<KlingProcessOutcome> {
    const key = dedupeKey(event);
    let claim: KlingClaimResult;
    try {
      claim = await this.claim(event, key);
    } catch (error) {
      throw asStoreError(error, 'claim');
    }
    if (claim.state === 'done') return 'duplicate';
    if (claim.state === 'superseded') return 'superseded';
    if (claim.state === 'in-flight') return 'in-flight';
    const failure = await this.finish(event, key, claim.token, this.registry.dispatch(event, key));
    if (failure !== undefined) throw failure;
    return 'processed';
  }

  private storeFailed(
    error: unknown,
    operation: string,
    event: KlingTaskEvent,
    key: string,
    logger: KlingLogger,
  ): void {
    const storeError = asStoreError(error, operation);
    logger.error(`store ${operation} failed`, {
      key,
      taskId: event.taskId,
      status: event.status,
      error: describeError(error),
    });
    this.registry.report(storeError, event, logger);
  }
}
