import { setTimeout as sleep } from 'node:timers/promises';
import {
  createKlingReceiver,
  type KlingDedupeStore,
  type KlingReceiver,
  type KlingReceiverOptions,
  klingSignature,
  memoryStore,
  normalize,
  signKlingWebhook,
} from '@kling-webhooks/core';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type OtelHarness, otelHarness, parentOf } from './otel-fixtures.js';
import { captureLogger, legacyBody, SECRET, signedRequest, taskId } from './receiver-fixtures.js';

const OLD_SECRET = `whsec_${Buffer.from('an-old-secret-being-rotated-out!').toString('base64')}`;

describe('receiver telemetry (OpenTelemetry SDK, in-memory exporters)', () => {
  let otel: OtelHarness;
  const receiver = (options: Partial<KlingReceiverOptions> = {}): KlingReceiver =>
    createKlingReceiver({
      verify: klingSignature({ secrets: [SECRET] }),
      logger: captureLogger(),
      ...options,
      telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
    });

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  beforeEach(() => {
    otel = otelHarness();
  });
  afterEach(() => otel.shutdown());

  it('a processed callback: one kling.webhook span with its verdict, children for the store and handlers', async () => {
    const r = receiver();
    r.on('succeed', () => undefined);
    const id = taskId();
    const response = await r.handle(signedRequest(legacyBody(id, 'succeed')));
    expect(response.status).toBe(200);

    const [webhook] = otel.spans('kling.webhook');
    expect(webhook?.attributes).toMatchObject({
      'kling.webhook.outcome': 'processed',
      'http.response.status_code': 200,
      'kling.task.id': id,
      'kling.task.status': 'succeed',
      'kling.webhook.dialect': 'legacy',
      'kling.webhook.verdict': 'passed',
      'kling.webhook.verifier': 'kling-signature',
      'kling.webhook.secret_index': 0,
      'kling.webhook.signed': true,
      'kling.webhook.duplicate': false,
      'kling.webhook.test_callback': false,
    });
    const spanId = webhook?.spanContext().spanId;
    const children = otel.spans().filter((span) => parentOf(span) === spanId);
    expect(children.map((span) => span.name).sort()).toEqual([
      'kling.handlers',
      'kling.store.claim',
      'kling.store.complete',
    ]);
    expect(await otel.sum('kling.webhook.callbacks', { 'kling.webhook.outcome': 'processed' })).toBe(1);
    expect(await otel.samples('kling.handler.duration', { 'kling.handler.outcome': 'ok' })).toBe(1);
    expect(await otel.samples('kling.store.duration', { 'kling.store.operation': 'claim' })).toBe(1);
    expect(await otel.samples('kling.store.duration', { 'kling.store.operation': 'complete' })).toBe(1);
    expect(await otel.sum('kling.webhook.verifications', { 'kling.webhook.secret_index': 0 })).toBe(1);
  });

  it("a handler's own spans are children of kling.handlers", async () => {
    const r = receiver();
    const appTracer = otel.tracerProvider.getTracer('app');
    r.on('succeed', async () => {
      await sleep(1);
      appTracer.startSpan('app.save').end();
    });
    await r.handle(signedRequest(legacyBody(taskId(), 'succeed')));
    const [handlers] = otel.spans('kling.handlers');
    const [save] = otel.spans('app.save');
    expect(parentOf(save!)).toBe(handlers?.spanContext().spanId);
  });

  it('the request span continues the trace of KlingRequest.traceContext (the framework’s server span)', async () => {
    const server = otel.tracerProvider.getTracer('http').startSpan('POST /webhooks/kling');
    const traceContext = trace.setSpan(context.active(), server);
    await receiver().handle(signedRequest(legacyBody(taskId(), 'processing'), { traceContext }));
    server.end();
    const [webhook] = otel.spans('kling.webhook');
    expect(parentOf(webhook!)).toBe(server.spanContext().spanId);
    expect(webhook?.spanContext().traceId).toBe(server.spanContext().traceId);
  });

  it('counts each outcome: duplicate, out-of-order, refused by reason, too large', async () => {
    const r = receiver({ maxBodyBytes: 2048 });
    const id = taskId();
    await r.handle(signedRequest(legacyBody(id, 'succeed')));
    await r.handle(signedRequest(legacyBody(id, 'succeed')));
    await r.handle(signedRequest(legacyBody(id, 'processing')));
    const forged = signedRequest(legacyBody(taskId(), 'succeed'));
    await r.handle({ ...forged, headers: { ...forged.headers, 'webhook-signature': 'v1,AAAA' } });
    await r.handle(signedRequest(legacyBody(id, 'succeed'), { method: 'GET' }));
    await r.handle({ ...forged, headers: { ...forged.headers, 'content-type': 'text/plain' } });
    await r.handle(signedRequest('{"neither":"dialect"}'));
    await r.handle(signedRequest(JSON.stringify({ task_id: id, task_status: 'succeed', pad: 'x'.repeat(4096) })));

    const outcomes = otel
      .spans('kling.webhook')
      .map((span) => [
        span.attributes['kling.webhook.outcome'],
        span.attributes['kling.webhook.refusal_reason'],
        span.attributes['http.response.status_code'],
      ]);
    expect(outcomes).toEqual([
      ['processed', undefined, 200],
      ['duplicate', undefined, 200],
      ['out_of_order', undefined, 200],
      ['refused', 'unauthorized', 401],
      ['refused', 'method_not_allowed', 405],
      ['refused', 'unsupported_media_type', 415],
      ['refused', 'invalid_body', 400],
      ['too_large', undefined, 413],
    ]);
    expect(otel.spans('kling.webhook')[1]?.attributes['kling.webhook.duplicate']).toBe(true);
    expect(otel.spans('kling.webhook')[3]?.attributes['kling.webhook.verdict']).toBe('failed');
    const count = (outcome: string, reason?: string) =>
      otel.sum('kling.webhook.callbacks', {
        'kling.webhook.outcome': outcome,
        ...(reason === undefined ? {} : { 'kling.webhook.refusal_reason': reason }),
      });
    expect(await count('processed')).toBe(1);
    expect(await count('duplicate')).toBe(1);
    expect(await count('out_of_order')).toBe(1);
    expect(await count('refused')).toBe(4);
    expect(await count('refused', 'unauthorized')).toBe(1);
    expect(await count('too_large')).toBe(1);
    expect(await otel.samples('kling.webhook.duration')).toBe(8);
  });

  it('store down: 503 counted as store_unavailable, the claim span marked as an error', async () => {
    const broken: KlingDedupeStore = {
      claim: () => Promise.reject(new Error('ECONNREFUSED')),
      complete: () => Promise.resolve(true),
      release: () => Promise.resolve(true),
      isTaskDone: () => Promise.resolve(false),
    };
    const response = await receiver({ store: broken }).handle(signedRequest(legacyBody(taskId(), 'succeed')));
    expect(response.status).toBe(503);
    const [claim] = otel.spans('kling.store.claim');
    expect(claim?.status.code).toBe(SpanStatusCode.ERROR);
    expect(otel.spans('kling.webhook')[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(await otel.sum('kling.webhook.callbacks', { 'kling.webhook.outcome': 'store_unavailable' })).toBe(1);
    expect(await otel.samples('kling.store.duration', { 'kling.store.outcome': 'error' })).toBe(1);
  });

  it('a failing handler: 500, a handler failure counted by status, the release span, error.type on kling.handlers', async () => {
    const r = receiver();
    class SaveFailed extends Error {
      override name = 'SaveFailed';
    }
    r.on('failed', () => {
      throw new SaveFailed('database said no to task 42');
    });
    const response = await r.handle(signedRequest(legacyBody(taskId(), 'failed')));
    expect(response.status).toBe(500);
    const [handlers] = otel.spans('kling.handlers');
    expect(handlers?.status.code).toBe(SpanStatusCode.ERROR);
    expect(handlers?.attributes['error.type']).toBe('SaveFailed');
    expect(otel.spans('kling.store.release')).toHaveLength(1);
    expect(await otel.sum('kling.handler.failures', { 'kling.task.status': 'failed' })).toBe(1);
    expect(await otel.sum('kling.webhook.callbacks', { 'kling.webhook.outcome': 'handler_failed' })).toBe(1);
  });

  it('ack budget spent: 202 counted, and the handler duration recorded once the handler ends', async () => {
    const r = receiver({ ackTimeoutMs: 20 });
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    r.on('succeed', () => done);
    const response = await r.handle(signedRequest(legacyBody(taskId(), 'succeed')));
    expect(response.status).toBe(202);
    expect(await otel.sum('kling.webhook.ack_budget.exhausted')).toBe(1);
    expect(await otel.sum('kling.webhook.callbacks', { 'kling.webhook.outcome': 'accepted' })).toBe(1);
    expect(await otel.samples('kling.handler.duration')).toBe(0);
    finish();
    await expect.poll(() => otel.samples('kling.handler.duration')).toBe(1);
  });

  it('rotation: the index of the secret that verified, and a daily warning while an old one still verifies', async () => {
    const logger = captureLogger();
    const r = receiver({ verify: klingSignature({ secrets: [SECRET, OLD_SECRET] }), logger });
    const signedWithOld = (body: string) => {
      const request = signedRequest(body);
      return { ...request, headers: { ...request.headers, ...signKlingWebhook({ secret: OLD_SECRET, body }) } };
    };
    await r.handle(signedWithOld(legacyBody(taskId(), 'processing')));
    await r.handle(signedWithOld(legacyBody(taskId(), 'processing')));
    await r.handle(signedRequest(legacyBody(taskId(), 'processing')));
    const indexes = otel.spans('kling.webhook').map((span) => span.attributes['kling.webhook.secret_index']);
    expect(indexes).toEqual([1, 1, 0]);
    expect(await otel.sum('kling.webhook.verifications', { 'kling.webhook.secret_index': 1 })).toBe(2);
    const warnings = logger.at('warn').filter((line) => line.includes('old secret'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('secret #2 of kling-signature');
    expect(warnings[0]).not.toContain(OLD_SECRET);
  });

  it('the old-secret warning comes again the next day while the old secret still verifies', async () => {
    const logger = captureLogger();
    const start = Date.now();
    // A clock the signature check also reads, moved a day on: the receiver's daily limit reads Date.now.
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    try {
      const r = receiver({ verify: klingSignature({ secrets: [SECRET, OLD_SECRET] }), logger });
      const signedWithOld = (body: string) => {
        const request = signedRequest(body);
        return { ...request, headers: { ...request.headers, ...signKlingWebhook({ secret: OLD_SECRET, body }) } };
      };
      const oldSecretWarnings = () => logger.at('warn').filter((line) => line.includes('old secret')).length;
      await r.handle(signedWithOld(legacyBody(taskId(), 'processing')));
      vi.setSystemTime(start + 23 * 3600_000);
      await r.handle(signedWithOld(legacyBody(taskId(), 'processing')));
      expect(oldSecretWarnings()).toBe(1);
      vi.setSystemTime(start + 24 * 3600_000 + 1);
      await r.handle(signedWithOld(legacyBody(taskId(), 'processing')));
      expect(oldSecretWarnings()).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('warns when an unsigned callback arrives on a receiver that has seen signed ones (once an hour)', async () => {
    const logger = captureLogger();
    const acceptAnything = () => true;
    const r = receiver({ verify: [klingSignature({ secrets: [SECRET] }), acceptAnything], logger });
    const unsigned = () => {
      const { headers, ...rest } = signedRequest(legacyBody(taskId(), 'processing'));
      const { 'webhook-signature': _s, 'webhook-id': _i, 'webhook-timestamp': _t, ...plain } = headers;
      return { ...rest, headers: plain };
    };
    await r.handle(unsigned());
    expect(logger.at('warn').filter((line) => line.includes('unsigned'))).toHaveLength(0);
    await r.handle(signedRequest(legacyBody(taskId(), 'processing')));
    await r.handle(unsigned());
    await r.handle(unsigned());
    expect(logger.at('warn').filter((line) => line.includes('unsigned'))).toHaveLength(1);
    expect(otel.spans('kling.webhook').map((span) => span.attributes['kling.webhook.signed'])).toEqual([
      false,
      true,
      false,
      false,
    ]);
  });

  it("the console's Test Callback: 200, labelled in the log, the span and the metric, never tracked for polling", async () => {
    const logger = captureLogger();
    const store = memoryStore();
    const r = receiver({ logger, store });
    const body =
      '{"id":"913827032734642185","status":"submitted","outputs":[],"message":"","create_time":1785901861504,"update_time":1785901861504}';
    const response = await r.handle(signedRequest(body));
    expect(response.status).toBe(200);
    expect(logger.at('info').some((line) => line.includes('Test Callback'))).toBe(true);
    expect(otel.spans('kling.webhook')[0]?.attributes['kling.webhook.test_callback']).toBe(true);
    expect(await otel.sum('kling.webhook.callbacks', { 'kling.webhook.test_callback': true })).toBe(1);
    expect(await store.takeDuePending(Number.MAX_SAFE_INTEGER, 10, 1000)).toEqual([]);
    expect(await store.pendingStats?.()).toEqual({ count: 0 });
  });

  it('receiver.process (a poll result or a queued event): a kling.process span and its outcome counted', async () => {
    const r = receiver();
    r.on('succeed', () => undefined);
    const event = normalize({ task_id: taskId(), task_status: 'succeed' }, { source: 'poll' });
    expect(await r.process(event)).toBe('processed');
    expect(await r.process(event)).toBe('duplicate');
    const spans = otel.spans('kling.process');
    expect(spans.map((span) => span.attributes['kling.process.outcome'])).toEqual(['processed', 'duplicate']);
    expect(spans[0]?.attributes['kling.event.source']).toBe('poll');
    const [handlers] = otel.spans('kling.handlers');
    expect(parentOf(handlers!)).toBe(spans[0]?.spanContext().spanId);
    expect(await otel.sum('kling.process.events', { 'kling.process.outcome': 'processed' })).toBe(1);
    expect(await otel.samples('kling.handler.duration', { 'kling.event.source': 'poll' })).toBe(1);
  });
});
