import { type Attributes, context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { KlingTaskEvent } from '../event.js';
import type { KlingLogger } from '../logger.js';
import type { KlingRequest } from '../request.js';
import type { KlingDedupeStore } from '../store/types.js';
import { type Dispatcher, type DispatchResult, observeDispatch } from './dispatch.js';
import { instrumentsOf } from './instruments.js';
import { ATTR, SPAN } from './names.js';
import type { KlingTelemetryOptions } from './options.js';
import { type LiveProviders, ProviderWatch } from './providers.js';
import { RequestObservation } from './request.js';
import { observedStore } from './store.js';

/** `receiver.process` outcomes as metric values (snake case); any other is recorded as it is. */
const PROCESS_OUTCOME: Readonly<Record<string, string>> = {
  processed: 'processed',
  duplicate: 'duplicate',
  'in-flight': 'in_flight',
  superseded: 'out_of_order',
  accepted: 'accepted',
  queued: 'queued',
};

/**
 * One receiver's telemetry. Each request (or `process` call) asks once whether anything records; when nothing
 * does, the pipeline runs as it would without this class (no span, no attribute object, no context switch).
 */
export class ReceiverTelemetry {
  private readonly watch: ProviderWatch;
  /** What the last request found recording: the store and dispatch hooks read this field instead of looking again. */
  private live: LiveProviders | undefined;

  constructor(options: KlingTelemetryOptions | undefined) {
    this.watch = new ProviderWatch(options);
  }

  /** The telemetry of one callback request, or `undefined` when nothing records. */
  request(request: KlingRequest): RequestObservation | undefined {
    const live = this.watch.current();
    this.live = live;
    if (live === undefined) return undefined;
    try {
      return new RequestObservation(live, request);
    } catch {
      // Telemetry never costs a callback: a tracer that throws leaves this request unobserved.
      return undefined;
    }
  }

  /** `store`, with a span and a latency sample per call while something records. */
  store(store: KlingDedupeStore): KlingDedupeStore {
    return observedStore(store, () => this.live);
  }

  /** Runs one event's handlers (to `logger`, default the registry's), observed when something records. */
  dispatch(registry: Dispatcher, event: KlingTaskEvent, logger?: KlingLogger): DispatchResult {
    const live = this.live;
    if (live === undefined) return registry.dispatch(event, logger);
    return observeDispatch(live, event, () => registry.dispatch(event, logger));
  }

  /**
   * Runs `receiver.process` for one event (a poll result, a queued event) under a `kling.process` span, a child of
   * the active context (a queue worker restores the producer's with `withTraceCarrier`), and counts its outcome.
   */
  process<O extends string>(event: KlingTaskEvent, run: () => Promise<O>): Promise<O> {
    const live = this.watch.current();
    this.live = live;
    if (live === undefined) return run();
    return this.observeProcess(live, event, run);
  }

  private async observeProcess<O extends string>(
    live: LiveProviders,
    event: KlingTaskEvent,
    run: () => Promise<O>,
  ): Promise<O> {
    const parent = context.active();
    const span = live.tracer?.startSpan(
      SPAN.process,
      { attributes: { [ATTR.taskId]: event.taskId, [ATTR.taskStatus]: event.status, [ATTR.source]: event.source } },
      parent,
    );
    let outcome: string;
    let errorType: string | undefined;
    try {
      const result = await (span === undefined ? run() : context.with(trace.setSpan(parent, span), run));
      outcome = PROCESS_OUTCOME[result] ?? result;
      return result;
    } catch (error) {
      errorType = error instanceof Error ? error.name : typeof error;
      outcome = errorType === 'KlingStoreError' ? 'store_unavailable' : 'handler_failed';
      throw error;
    } finally {
      if (span !== undefined) {
        span.setAttribute(ATTR.processOutcome, outcome!);
        if (errorType !== undefined) {
          span.setAttribute(ATTR.errorType, errorType);
          span.setStatus({ code: SpanStatusCode.ERROR, message: outcome! });
        }
        span.end();
      }
      if (live.meter !== undefined) {
        const attributes: Attributes = {
          [ATTR.processOutcome]: outcome!,
          [ATTR.source]: event.source,
          [ATTR.taskStatus]: event.status,
        };
        instrumentsOf(live.meter).processed.add(1, attributes);
      }
    }
  }
}
