import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { KlingHandlerError } from '../errors.js';
import type { KlingTaskEvent } from '../event.js';
import type { KlingLogger } from '../logger.js';
import { isThenable } from '../thenable.js';
import { instrumentsOf } from './instruments.js';
import { ATTR, SPAN } from './names.js';
import type { LiveProviders } from './providers.js';

/** What `HandlerRegistry.dispatch` returns: synchronous when every handler was. */
export type DispatchResult = KlingHandlerError | undefined | Promise<KlingHandlerError | undefined>;

/** What runs an event's handlers (the receiver's handler registry). */
export interface Dispatcher {
  dispatch(event: KlingTaskEvent, logger?: KlingLogger): DispatchResult;
}

/**
 * Runs one event's handlers under a `kling.handlers` span (the active context inside, so the app's own spans in a
 * handler become its children) and records their duration and failure. Returns what `run` returned, in the same
 * form (synchronous stays synchronous).
 */
export function observeDispatch(live: LiveProviders, event: KlingTaskEvent, run: () => DispatchResult): DispatchResult {
  const started = performance.now();
  const span = live.tracer?.startSpan(SPAN.handlers, undefined, context.active());
  if (span?.isRecording()) {
    span.setAttribute(ATTR.taskId, event.taskId);
    span.setAttribute(ATTR.taskStatus, event.status);
    span.setAttribute(ATTR.source, event.source);
  }
  const done = (failure: KlingHandlerError | undefined, thrown?: unknown): void => {
    const failed = failure !== undefined || thrown !== undefined;
    if (span !== undefined) {
      if (failed) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'handler failed' });
        // The class name only: a handler's message is the app's text and may quote what it handled.
        span.setAttribute(ATTR.errorType, errorType(failure, thrown));
      }
      span.end();
    }
    if (live.meter !== undefined) {
      const metrics = instrumentsOf(live.meter);
      const attributes = {
        [ATTR.taskStatus]: event.status,
        [ATTR.source]: event.source,
        [ATTR.handlerOutcome]: failed ? 'failed' : 'ok',
      };
      metrics.handlerDuration.record((performance.now() - started) / 1000, attributes);
      if (failed) metrics.handlerFailures.add(1, attributes);
    }
  };
  let result: DispatchResult;
  try {
    result = span === undefined ? run() : context.with(trace.setSpan(context.active(), span), run);
  } catch (error) {
    done(undefined, error);
    throw error;
  }
  if (!isThenable(result)) {
    done(result);
    return result;
  }
  return result.then(
    (failure) => {
      done(failure);
      return failure;
    },
    (error: unknown) => {
      done(undefined, error);
      throw error;
    },
  );
}

function errorType(failure: KlingHandlerError | undefined, thrown: unknown): string {
  const cause = failure?.cause ?? thrown;
  return cause instanceof Error ? cause.name : typeof cause;
}
