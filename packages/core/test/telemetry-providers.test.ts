import { createKlingReceiver, klingSignature, silentLogger } from '@kling-webhooks/core';
import { context, type MeterProvider, metrics, type TracerProvider, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProviderWatch } from '../src/telemetry/providers.js';
import { otelHarness } from './otel-fixtures.js';
import { legacyBody, SECRET, signedRequest, taskId } from './receiver-fixtures.js';

describe('whether anything records (the global providers)', () => {
  afterEach(() => {
    trace.disable();
    metrics.disable();
    context.disable();
  });

  it('with no SDK registered nothing records: no tracer, no meter', () => {
    expect(new ProviderWatch(undefined).current()).toBeUndefined();
  });

  it('with no provider registered, a request switches no context and asks the context manager nothing', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    const switched = vi.spyOn(manager, 'with');
    const asked = vi.spyOn(manager, 'active');
    context.setGlobalContextManager(manager);
    const receiver = createKlingReceiver({ verify: klingSignature({ secrets: [SECRET] }), logger: silentLogger });
    receiver.on('succeed', async () => undefined);
    expect((await receiver.handle(signedRequest(legacyBody(taskId(), 'succeed')))).status).toBe(200);
    expect(switched).not.toHaveBeenCalled();
    expect(asked).not.toHaveBeenCalled();
  });

  it('notices an SDK registered after the receiver was made, and one shut down', async () => {
    const watch = new ProviderWatch(undefined);
    expect(watch.current()).toBeUndefined();
    const receiver = createKlingReceiver({ verify: klingSignature({ secrets: [SECRET] }), logger: silentLogger });
    await receiver.handle(signedRequest(legacyBody(taskId(), 'processing')));

    const otel = otelHarness();
    otel.registerGlobally();
    const live = watch.current();
    expect(live?.tracer).toBeDefined();
    expect(live?.meter).toBeDefined();
    await receiver.handle(signedRequest(legacyBody(taskId(), 'processing')));
    expect(otel.spans('kling.webhook')).toHaveLength(1);
    expect(await otel.sum('kling.webhook.callbacks')).toBe(1);

    trace.disable();
    metrics.disable();
    expect(watch.current()).toBeUndefined();
    await receiver.handle(signedRequest(legacyBody(taskId(), 'processing')));
    expect(otel.spans('kling.webhook')).toHaveLength(1);
    await otel.shutdown();
  });

  it('metrics alone (no tracer provider) record metrics and make no span', async () => {
    const otel = otelHarness();
    metrics.setGlobalMeterProvider(otel.meterProvider);
    const live = new ProviderWatch(undefined).current();
    expect(live?.tracer).toBeUndefined();
    expect(live?.meter).toBeDefined();
    const receiver = createKlingReceiver({ verify: klingSignature({ secrets: [SECRET] }), logger: silentLogger });
    await receiver.handle(signedRequest(legacyBody(taskId(), 'succeed')));
    expect(await otel.sum('kling.webhook.callbacks', { 'kling.webhook.outcome': 'processed' })).toBe(1);
    expect(otel.spans()).toHaveLength(0);
    await otel.shutdown();
  });
});

describe('an SDK that throws', () => {
  const broken = () => {
    throw new Error('exporter misconfigured');
  };

  it('costs no callback: answers and handlers go on as without telemetry', async () => {
    const otel = otelHarness();
    const throwingTracer = {
      getTracer: () => ({ startSpan: broken, startActiveSpan: broken }),
    } as unknown as TracerProvider;
    const throwingMeter = { getMeter: broken } as unknown as MeterProvider;
    for (const telemetry of [
      { tracerProvider: throwingTracer },
      { meterProvider: throwingMeter },
      { tracerProvider: { getTracer: broken } as unknown as TracerProvider },
    ]) {
      const receiver = createKlingReceiver({
        verify: klingSignature({ secrets: [SECRET] }),
        logger: silentLogger,
        telemetry,
      });
      const seen: string[] = [];
      receiver.on('succeed', (event) => void seen.push(event.taskId));
      const id = taskId();
      expect((await receiver.handle(signedRequest(legacyBody(id, 'succeed')))).status).toBe(200);
      expect(seen).toEqual([id]);
    }
    await otel.shutdown();
  });
});
