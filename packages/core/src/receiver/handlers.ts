import { KlingConfigError, KlingHandlerError } from '../errors.js';
import type { KlingStatusAlias, KlingTaskEvent } from '../event.js';
import type { KlingLogger } from '../logger.js';
import { klingIdempotencyKey } from '../store/event-ref.js';
import { isThenable } from '../thenable.js';
import type { KlingErrorHandler, KlingHandler, KlingHandlerStatus } from './types.js';

type AnyHandler = KlingHandler<'*'>;
/** The lists handlers are kept in: one per canonical status (an alias shares its status's list). */
type ListName = Exclude<KlingHandlerStatus, KlingStatusAlias>;
type HandlerLists = Record<ListName, readonly AnyHandler[]>;

// Maps, not object literals: a status such as `__proto__` or `toString` must not find anything.
const LIST_OF = new Map<string, ListName>([
  ['submitted', 'submitted'],
  ['processing', 'processing'],
  ['succeed', 'succeed'],
  ['succeeded', 'succeed'],
  ['failed', 'failed'],
  ['*', '*'],
]);
const NONE: readonly AnyHandler[] = [];

/** Appends to a list created on first use: most dispatches have no failures and no promises to collect. */
function append<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}

/** Short description of a thrown value for a log line (the error's own message: handlers are the app's code). */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
}

/**
 * The handlers and error listeners of one receiver. Lists are replaced, never mutated, so `on`/`off` during a
 * dispatch do not change the handlers that dispatch runs.
 */
export class HandlerRegistry {
  private lists: HandlerLists = {
    submitted: NONE,
    processing: NONE,
    succeed: NONE,
    failed: NONE,
    '*': NONE,
  };
  private errorListeners: readonly KlingErrorHandler[] = [];

  constructor(private readonly logger: KlingLogger) {}

  /** Adds `handler` for `status`. */
  add<S extends KlingHandlerStatus>(status: S, handler: KlingHandler<S>): void {
    const name = LIST_OF.get(status);
    if (name === undefined) {
      const known = [...LIST_OF.keys()].join(', ');
      throw new KlingConfigError(`on(): unknown status ${JSON.stringify(status)}; use one of ${known}`);
    }
    if (typeof handler !== 'function') throw new KlingConfigError('on(): the handler must be a function');
    // Safe: dispatch hands a handler only events whose status is the one it was registered for.
    this.lists[name] = [...this.lists[name], handler as unknown as AnyHandler];
  }

  /** Removes one registration of `handler` for `status` (either spelling of `succeed`). */
  remove<S extends KlingHandlerStatus>(status: S, handler: KlingHandler<S>): void {
    const name = LIST_OF.get(status);
    if (name === undefined) return;
    const list = this.lists[name];
    const index = list.lastIndexOf(handler as unknown as AnyHandler);
    if (index >= 0) this.lists[name] = list.filter((_, i) => i !== index);
  }

  /** Adds an error listener. */
  addErrorListener(listener: KlingErrorHandler): void {
    if (typeof listener !== 'function') throw new KlingConfigError('onError(): the listener must be a function');
    this.errorListeners = [...this.errorListeners, listener];
  }

  /**
   * Runs every handler of the event's status and every `'*'` handler, all of them even when one throws. Returns the
   * failure (undefined when all succeeded) synchronously when every handler was synchronous, else a promise of it.
   * Each failure is reported to the error listeners and logged to `logger` (default the registry's).
   */
  dispatch(
    event: KlingTaskEvent,
    logger = this.logger,
  ): KlingHandlerError | undefined | Promise<KlingHandlerError | undefined> {
    const own = event.status === 'unknown' ? NONE : this.lists[event.status];
    const all = this.lists['*'];
    let failures: unknown[] | undefined;
    let pending: PromiseLike<unknown>[] | undefined;
    for (let i = 0, n = own.length + all.length; i < n; i++) {
      const handler = (i < own.length ? own[i] : all[i - own.length]) as AnyHandler;
      try {
        const result = handler(event);
        if (isThenable(result)) pending = append(pending, result);
      } catch (error) {
        failures = append(failures, error);
      }
    }
    if (pending === undefined) return this.fail(event, failures, logger);
    return this.settle(event, pending, failures, logger);
  }

  private async settle(
    event: KlingTaskEvent,
    pending: PromiseLike<unknown>[],
    failures: unknown[] | undefined,
    logger: KlingLogger,
  ): Promise<KlingHandlerError | undefined> {
    const results = await Promise.allSettled(pending);
    for (const result of results) if (result.status === 'rejected') failures = append(failures, result.reason);
    return this.fail(event, failures, logger);
  }

  /** Reports each failure and folds them into the one error the caller acts on. */
  private fail(
    event: KlingTaskEvent,
    failures: unknown[] | undefined,
    logger: KlingLogger,
  ): KlingHandlerError | undefined {
    if (failures === undefined) return undefined;
    // Named only on failure: the hot path builds no key string here.
    const key = klingIdempotencyKey(event);
    let first: KlingHandlerError | undefined;
    for (const cause of failures) {
      const error = new KlingHandlerError(key, { cause });
      first ??= error;
      logger.error('handler failed', {
        key,
        taskId: event.taskId,
        status: event.status,
        error: describeError(cause),
      });
      this.report(error, event, logger);
    }
    if (failures.length === 1) return first;
    return new KlingHandlerError(key, { cause: new AggregateError(failures, `${failures.length} handlers failed`) });
  }

  /** Hands an error to every error listener; a listener that throws is logged (to `logger`) and does not stop the others. */
  report(error: unknown, event: KlingTaskEvent | undefined, logger = this.logger): void {
    for (const listener of this.errorListeners) {
      try {
        listener(error, event);
      } catch (listenerError) {
        logger.error('onError listener threw', { error: describeError(listenerError) });
      }
    }
  }
}
