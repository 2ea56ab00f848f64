import { createKlingReceiver, klingSignature, normalize, silentLogger } from '@kling-webhooks/core';
import { traceCarrier, traceContextFromHeaders, withTraceCarrier } from '@kling-webhooks/core/adapter';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otelHarness, parentOf } from './otel-fixtures.js';
import { legacyBody, SECRET, signedRequest, taskId } from './receiver-fixtures.js';

describe('trace context for the queued and fetch-style paths', () => {
  const otel = otelHarness();
  const telemetry = { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider };
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(() => otel.shutdown());

  it('a job carries the request’s trace: the worker’s kling.process continues it', async () => {
    // The producer side: what a queue hand-off does inside the pipeline (here, inside a handler).
    const producer = createKlingReceiver({
      verify: klingSignature({ secrets: [SECRET] }),
      logger: silentLogger,
      telemetry,
    });
    const jobs: { event: ReturnType<typeof normalize>; trace: Record<string, string> | undefined }[] = [];
    const id = taskId();
    producer.on('succeed', (event) => {
      jobs.push({ event: normalize(event.raw, { source: 'callback' }), trace: traceCarrier() });
    });
    expect((await producer.handle(signedRequest(legacyBody(id, 'succeed')))).status).toBe(200);
    const [job] = jobs;
    expect(job?.trace?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    // The worker side, in another process as far as context goes: only the carrier links them.
    const worker = createKlingReceiver({ verify: 'none', logger: silentLogger, telemetry });
    worker.on('succeed', () => undefined);
    const outcome = await withTraceCarrier(job!.trace, () => worker.process(job!.event));
    expect(outcome).toBe('processed');
    const [webhook] = otel.spans('kling.webhook');
    const handlers = otel.spans('kling.handlers');
    const [processed] = otel.spans('kling.process');
    expect(processed?.spanContext().traceId).toBe(webhook?.spanContext().traceId);
    expect(parentOf(processed!)).toBe(handlers[0]?.spanContext().spanId);
  });

  it('with no span active there is no carrier, and work without a carrier runs as it is', async () => {
    expect(context.with(trace.deleteSpan(context.active()), () => traceCarrier())).toBeUndefined();
    expect(withTraceCarrier(undefined, () => 42)).toBe(42);
  });

  it('traceContextFromHeaders reads a traceparent for handlers no HTTP instrumentation wraps', async () => {
    const receiver = createKlingReceiver({
      verify: klingSignature({ secrets: [SECRET] }),
      logger: silentLogger,
      telemetry,
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const request = signedRequest(legacyBody(taskId(), 'processing'));
    const headers = { ...request.headers, traceparent: `00-${traceId}-00f067aa0ba902b7-01` };
    await receiver.handle({ ...request, headers, traceContext: traceContextFromHeaders(headers) });
    const webhook = otel.spans('kling.webhook').find((span) => span.spanContext().traceId === traceId);
    expect(webhook).toBeDefined();
    expect(parentOf(webhook!)).toBe('00f067aa0ba902b7');
  });
});
