import { type Context, context, propagation, type TextMapGetter } from '@opentelemetry/api';
import type { KlingHeaders } from '../request.js';

/** Trace context as plain strings (W3C `traceparent`, `tracestate`, ...): what a job's data can carry. */
export type KlingTraceCarrier = Record<string, string>;

/**
 * The active trace context as a carrier, to store with a job the receiver hands to a queue (inside a handler or the
 * pipeline, the active context is the `kling.webhook` span's), or `undefined` when there is none to carry (no SDK, no
 * propagator, or nothing active).
 */
export function traceCarrier(): KlingTraceCarrier | undefined {
  const carrier: KlingTraceCarrier = {};
  propagation.inject(context.active(), carrier);
  for (const _ in carrier) return carrier;
  return undefined;
}

/**
 * Runs `fn` with the trace context of `carrier` (from {@link traceCarrier}) as the active one, so the spans it
 * starts (`receiver.process` starts `kling.process`) continue the trace of the request that queued the job. With no
 * carrier, `fn` runs in the current context.
 */
export function withTraceCarrier<T>(carrier: Readonly<KlingTraceCarrier> | undefined, fn: () => T): T {
  if (carrier === undefined) return fn();
  return context.with(propagation.extract(context.active(), carrier), fn);
}

const HEADERS: TextMapGetter<KlingHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => {
    const value = headers[key];
    return typeof value === 'string' || value === undefined ? value : [...value];
  },
};

/**
 * The trace context a request's headers carry (`traceparent`), on top of the active one: for a fetch-style handler
 * that no HTTP instrumentation wraps, pass it as `KlingRequest.traceContext`.
 */
export function traceContextFromHeaders(headers: KlingHeaders): Context {
  return propagation.extract(context.active(), headers, HEADERS);
}
