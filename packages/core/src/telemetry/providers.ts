import {
  createNoopMeter,
  type Meter,
  metrics,
  ProxyTracerProvider,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
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
    const tracer = tracerProvider === NOOP_TRACER_PROVIDER ? undefined : tracerProvider.getTracer(SCOPE);
    const meter = meterProvider.getMeter(SCOPE);
    const recording = meter === NOOP_METER ? undefined : meter;
    this.live = tracer === undefined && recording === undefined ? undefined : { tracer, meter: recording };
    return this.live;
  }
}

function delegateOf(provider: TracerProvider): TracerProvider {
  return provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
}
