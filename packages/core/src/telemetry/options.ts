import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

/**
 * Where spans and metrics go. By default the providers the app registered globally with the OpenTelemetry SDK
 * (`NodeSDK.start()`, `trace.setGlobalTracerProvider`, `metrics.setGlobalMeterProvider`); with none registered the
 * library records nothing and costs nothing.
 */
export interface KlingTelemetryOptions {
  /** Spans go to this provider instead of the global one. */
  tracerProvider?: TracerProvider;
  /** Metrics go to this provider instead of the global one. */
  meterProvider?: MeterProvider;
}
