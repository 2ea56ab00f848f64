import {
  createNoopMeter,
  INVALID_SPAN_CONTEXT,
  type Meter,
  metrics,
  ProxyTracerProvider,
  type Span,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { instrumentsOf } from './instruments.js';
import { SCOPE } from './names.js';
import type { KlingTelemetryOptions } from './options.js';

/** The API's no-op tracer provider: what a proxy provider delegates to while no SDK is registered. */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();
const NOOP_METER = createNoopMeter();

/** A tracer and a meter that record, or `undefined` in place of one that would not. */
export interface LiveProviders {
  readonly tracer: Tracer | undefined;
  readonly meter: Meter | undefined;
}

/**
 * Finds out whether an SDK records spans or metrics, cheaply enough to ask per request: the global providers are read
 * (a few property reads) and compared with the last ones seen; only when they changed (an SDK was registered or shut
 * down after the receiver was made) are the tracer and meter looked up again. The global meter provider has no proxy,
 * so a meter taken before the SDK was registered would stay a no-op: it is taken again once the provider changes.
 */
export class ProviderWatch {
  private lastTracerProvider: unknown = null;
  private lastMeterProvider: unknown = null;
  private live: LiveProviders | undefined;

  constructor(private readonly options: KlingTelemetryOptions | undefined) {}

  /** The recording tracer and meter, or `undefined` when neither records. */
  current(): LiveProviders | undefined {
    const tracerProvider = this.options?.tracerProvider ?? delegateOf(trace.getTracerProvider());
    const meterProvider = this.options?.meterProvider ?? metrics.getMeterProvider();
    if (tracerProvider === this.lastTracerProvider && meterProvider === this.lastMeterProvider) return this.live;
    this.lastTracerProvider = tracerProvider;
    this.lastMeterProvider = meterProvider;
    try {
      const tracer = tracerProvider === NOOP_TRACER_PROVIDER ? undefined : safe(tracerProvider.getTracer(SCOPE));
      const meter = meterProvider.getMeter(SCOPE);
      const recording = meter === NOOP_METER ? undefined : meter;
      // Made here, inside the try: a meter that cannot make them records nothing.
      if (recording !== undefined) instrumentsOf(recording);
      this.live = tracer === undefined && recording === undefined ? undefined : { tracer, meter: recording };
    } catch {
      // A provider that cannot hand out a tracer or meter records nothing; callbacks are still answered.
      this.live = undefined;
    }
    return this.live;
  }
}

/** A tracer whose `startSpan` never throws (a span that records nothing stands in), so spans cannot fail a request. */
function safe(tracer: Tracer): Tracer {
  return {
    startSpan(name, options, context): Span {
      try {
        return tracer.startSpan(name, options, context);
      } catch {
        return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
      }
    },
    startActiveSpan: tracer.startActiveSpan.bind(tracer) as Tracer['startActiveSpan'],
  };
}

function delegateOf(provider: TracerProvider): TracerProvider {
  return provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
}
