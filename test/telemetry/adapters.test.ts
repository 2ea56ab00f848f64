import { createRequire } from 'node:module';
import { type KlingStore, memoryStore } from '@kling-webhooks/core';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { otelHarness, parentOf } from '../../packages/core/test/otel-fixtures.js';
import {
  HMAC_SECRET,
  legacyBody,
  MAX_BODY_BYTES,
  newBody,
  send,
  TOKEN_SECRET,
  taskId,
  useApp,
  WEBHOOK_SECRET,
} from '../conformance/support.js';
import { targets } from '../conformance/targets/index.js';

// The app's OpenTelemetry set-up, as NodeSDK does it: global providers, an AsyncLocalStorage context manager, and
// OTel's HTTP instrumentation with its defaults.
const otel = otelHarness();
otel.registerGlobally();
registerInstrumentations({
  instrumentations: [new HttpInstrumentation()],
  tracerProvider: otel.tracerProvider,
  meterProvider: otel.meterProvider,
});
// The instrumentation patches `http` when it is required: require it once more now that it is enabled.
createRequire(import.meta.url)('node:http');

const OURS = '@kling-webhooks/core';

function webhookSpan(id: string): ReadableSpan | undefined {
  return otel
    .spans('kling.webhook')
    .find((span) => span.instrumentationScope.name === OURS && span.attributes['kling.task.id'] === id);
}

function serverSpanOf(span: ReadableSpan): ReadableSpan | undefined {
  const parent = parentOf(span);
  return otel.spans().find((candidate) => candidate.spanContext().spanId === parent);
}

describe.each(targets)('$name: telemetry through the adapter', (target) => {
  const { baseUrl, recorder } = useApp(target);

  it('a span per callback request, a child of the HTTP server span, with store and handler children', async () => {
    const id = taskId();
    expect((await send(baseUrl(), legacyBody(id, 'succeed'))).status).toBe(200);
    await expect.poll(() => webhookSpan(id)).toBeDefined();
    const span = webhookSpan(id)!;
    expect(span.attributes).toMatchObject({
      'kling.webhook.outcome': 'processed',
      'http.response.status_code': 200,
      'kling.task.status': 'succeed',
      'kling.webhook.verifier': 'kling-signature',
      'kling.webhook.secret_index': 0,
      'kling.webhook.dialect': 'legacy',
    });
    await expect.poll(() => serverSpanOf(span)).toBeDefined();
    const server = serverSpanOf(span)!;
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.instrumentationScope.name).toBe('@opentelemetry/instrumentation-http');
    expect(span.spanContext().traceId).toBe(server.spanContext().traceId);
    const children = otel.spans().filter((child) => parentOf(child) === span.spanContext().spanId);
    expect(children.map((child) => child.name).sort()).toEqual([
      'kling.handlers',
      'kling.store.claim',
      'kling.store.complete',
    ]);
  });

  it('counts every outcome: processed, duplicate, out-of-order, refused by reason, too large, handler failed, 202', async () => {
    const outcome = (value: string, reason?: string) =>
      otel.sum('kling.webhook.callbacks', {
        'kling.webhook.outcome': value,
        ...(reason === undefined ? {} : { 'kling.webhook.refusal_reason': reason }),
      });
    const kinds: [string, string?][] = [
      ['processed'],
      ['duplicate'],
      ['out_of_order'],
      ['refused', 'unauthorized'],
      ['refused', 'method_not_allowed'],
      ['refused', 'unsupported_media_type'],
      ['refused', 'invalid_body'],
      ['too_large'],
      ['handler_failed'],
      ['accepted'],
    ];
    const before = await Promise.all(kinds.map(([value, reason]) => outcome(value, reason)));
    const budgetBefore = await otel.sum('kling.webhook.ack_budget.exhausted');
    const failuresBefore = await otel.sum('kling.handler.failures');

    const id = taskId();
    const body = legacyBody(id, 'succeed');
    const fixed = { kind: 'kling' as const, id: `msg_${id}`, timestamp: Math.floor(Date.now() / 1000) };
    expect((await send(baseUrl(), body, { credential: fixed })).status).toBe(200);
    expect((await send(baseUrl(), body, { credential: fixed })).status).toBe(200);
    expect((await send(baseUrl(), legacyBody(id, 'processing'))).status).toBe(200);
    expect((await send(baseUrl(), legacyBody(taskId(), 'succeed'), { tamper: (b) => `${b} ` })).status).toBe(401);
    expect((await send(baseUrl(), legacyBody(taskId(), 'succeed'), { method: 'GET' })).status).toBe(405);
    expect((await send(baseUrl(), legacyBody(taskId(), 'succeed'), { contentType: 'text/plain' })).status).toBe(415);
    expect((await send(baseUrl(), '{"task_id":7}')).status).toBe(400);
    const big = legacyBody(taskId(), 'succeed', { pad: 'x'.repeat(MAX_BODY_BYTES) });
    expect((await send(baseUrl(), big)).status).toBe(413);
    const failing = taskId();
    recorder.behave(failing, { failTimes: 1 });
    expect((await send(baseUrl(), legacyBody(failing, 'failed'))).status).toBe(500);
    const slow = taskId();
    recorder.behave(slow, { delayMs: 600 });
    const finished = recorder.completion(slow);
    expect((await send(baseUrl(), legacyBody(slow, 'succeed'))).status).toBe(202);
    await finished;

    await expect
      .poll(async () => {
        const after = await Promise.all(kinds.map(([value, reason]) => outcome(value, reason)));
        return after.map((count, i) => count - before[i]!);
      })
      .toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect((await otel.sum('kling.webhook.ack_budget.exhausted')) - budgetBefore).toBe(1);
    // Two handlers (the status's and '*') ran for the failing event: one failed event.
    expect((await otel.sum('kling.handler.failures')) - failuresBefore).toBe(1);
  });

  it("the console's Test Callback: 200 and labelled", async () => {
    const id = taskId();
    expect((await send(baseUrl(), newBody(id, 'submitted'))).status).toBe(200);
    await expect.poll(() => webhookSpan(id)?.attributes['kling.webhook.test_callback']).toBe(true);
  });

  it('no span attribute (ours or the HTTP server span’s) and no metric attribute holds a secret or token', async () => {
    const id = taskId();
    await send(baseUrl(), legacyBody(id, 'processing'), { credential: { kind: 'token' } });
    await send(baseUrl(), legacyBody(taskId(), 'processing'), { credential: { kind: 'hmac' } });
    await expect.poll(() => webhookSpan(id)?.attributes['kling.webhook.verifier']).toBe('callback-token');
    const values = (await otel.allAttributes()).flatMap((attributes) => Object.values(attributes).map(String));
    // The HTTP instrumentation records the query as received; the receiver takes the callback token out of it.
    expect(serverSpanOf(webhookSpan(id)!)?.attributes['url.query']).toBe('token=REDACTED');
    for (const value of values) {
      for (const secret of [WEBHOOK_SECRET, TOKEN_SECRET, HMAC_SECRET, 'token=ey']) {
        expect(value).not.toContain(secret);
      }
    }
  });
});

/** A store whose backend is down: every claim rejects. */
function downStore(): KlingStore {
  const store = memoryStore();
  return { ...store, claim: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')) };
}

describe.each(targets)('$name: telemetry while the store is down', (target) => {
  const { baseUrl } = useApp(target, { store: downStore() });

  it('503 counted as store_unavailable; the claim span is an error', async () => {
    const before = await otel.sum('kling.webhook.callbacks', { 'kling.webhook.outcome': 'store_unavailable' });
    const id = taskId();
    expect((await send(baseUrl(), legacyBody(id, 'succeed'))).status).toBe(503);
    await expect.poll(() => webhookSpan(id)?.attributes['kling.webhook.outcome']).toBe('store_unavailable');
    const claim = otel
      .spans('kling.store.claim')
      .find((span) => parentOf(span) === webhookSpan(id)?.spanContext().spanId);
    expect(claim?.status.code).toBe(SpanStatusCode.ERROR);
    expect((await otel.sum('kling.webhook.callbacks', { 'kling.webhook.outcome': 'store_unavailable' })) - before).toBe(
      1,
    );
  });
});
