import { type Attributes, context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A metric reader the test pulls from (`collect`), cumulative. */
class PullReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** The OTel SDK with in-memory exporters: what an app's SDK set-up records, readable by a test. */
export interface OtelHarness {
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  /** Finished spans so far. */
  spans(name?: string): ReadableSpan[];
  /** Collected metrics now. */
  collect(): Promise<ResourceMetrics>;
  /** The sum of a counter's points whose attributes include `match`. */
  sum(name: string, match?: Attributes): Promise<number>;
  /** How many samples a histogram has among points whose attributes include `match`. */
  samples(name: string, match?: Attributes): Promise<number>;
  /** The last value of a gauge. */
  gauge(name: string): Promise<number | undefined>;
  /** Every attribute of every span and metric point collected so far. */
  allAttributes(): Promise<Attributes[]>;
  /** Registers the providers (and an AsyncLocalStorage context manager) globally, as `NodeSDK.start()` does. */
  registerGlobally(): void;
  shutdown(): Promise<void>;
}

function includes(attributes: Attributes, match: Attributes | undefined): boolean {
  if (match === undefined) return true;
  return Object.entries(match).every(([key, value]) => attributes[key] === value);
}

function points(resource: ResourceMetrics, name: string): DataPoint<unknown>[] {
  return resource.scopeMetrics.flatMap((scope) =>
    scope.metrics
      .filter((metric) => metric.descriptor.name === name)
      .flatMap((metric) => metric.dataPoints as DataPoint<unknown>[]),
  );
}

export function otelHarness(): OtelHarness {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const harness: OtelHarness = {
    tracerProvider,
    meterProvider,
    spans: (name) => exporter.getFinishedSpans().filter((span) => name === undefined || span.name === name),
    collect: async () => (await reader.collect()).resourceMetrics,
    async sum(name, match) {
      const all = points(await harness.collect(), name);
      return all.filter((p) => includes(p.attributes, match)).reduce((total, p) => total + (p.value as number), 0);
    },
    async samples(name, match) {
      const all = points(await harness.collect(), name);
      return all
        .filter((p) => includes(p.attributes, match))
        .reduce((total, p) => total + (p.value as Histogram).count, 0);
    },
    async gauge(name) {
      const all = points(await harness.collect(), name);
      return all.at(-1)?.value as number | undefined;
    },
    async allAttributes() {
      const fromSpans = exporter.getFinishedSpans().map((span) => span.attributes);
      const resource = await harness.collect();
      const fromMetrics = resource.scopeMetrics.flatMap((scope) =>
        scope.metrics.flatMap((metric) => metric.dataPoints.map((p) => p.attributes)),
      );
      return [...fromSpans, ...fromMetrics];
    },
    registerGlobally() {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      trace.setGlobalTracerProvider(tracerProvider);
      metrics.setGlobalMeterProvider(meterProvider);
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
  return harness;
}

/** The span's parent span id, whichever SDK version made it. */
export function parentOf(span: ReadableSpan): string | undefined {
  const withContext = span as ReadableSpan & { parentSpanContext?: { spanId: string }; parentSpanId?: string };
  return withContext.parentSpanContext?.spanId ?? withContext.parentSpanId;
}
