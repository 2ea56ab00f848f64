import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createKlingReceiver,
  createReconciler,
  klingSignature,
  memoryStore,
  normalize,
  signKlingWebhook,
  silentLogger,
} from '@kling-webhooks/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { legacyBody, taskId, WEBHOOK_SECRET } from '../conformance/support.js';

const DOC = new URL('../../docs/observability.md', import.meta.url);

describe('docs/observability.md against a real Prometheus exporter', () => {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  afterAll(() => meterProvider.shutdown());

  /** The text Prometheus would scrape from the exporter's /metrics. */
  async function scrape(): Promise<string> {
    const { resourceMetrics } = await exporter.collect();
    const serializer = (exporter as unknown as { _serializer: { serialize(metrics: unknown): string } })._serializer;
    return serializer.serialize(resourceMetrics);
  }

  it('every metric and label the page queries is one the receiver and the reconciler expose', async () => {
    const store = memoryStore();
    const telemetry = { meterProvider };
    const receiver = createKlingReceiver({
      verify: klingSignature({ secrets: [WEBHOOK_SECRET] }),
      store,
      logger: silentLogger,
      ackTimeoutMs: 20,
      telemetry,
    });
    receiver.on('failed', () => {
      throw new Error('handler failure asked by the test');
    });
    receiver.on('processing', () => sleep(50));
    const deliver = (body: string) =>
      receiver.handle({
        method: 'POST',
        url: '/webhooks/kling',
        headers: { 'content-type': 'application/json', ...signKlingWebhook({ secret: WEBHOOK_SECRET, body }) },
        rawBody: Buffer.from(body),
      });
    const [lost, delivered, unreachable] = [taskId(), taskId(), taskId()];
    for (const id of [lost, delivered, unreachable]) {
      await store.putPending({ taskId: id, product: 'videos/text2video', createdAt: 0, dueAt: 0, attempts: 0 });
    }
    expect((await deliver(legacyBody(delivered, 'succeed'))).status).toBe(200);
    expect((await deliver(legacyBody(taskId(), 'failed'))).status).toBe(500);
    const forged = { method: 'POST', url: '/webhooks/kling', headers: { 'content-type': 'application/json' } };
    expect((await receiver.handle({ ...forged, rawBody: Buffer.from(legacyBody(taskId(), 'succeed')) })).status).toBe(
      401,
    );
    expect((await deliver(legacyBody(taskId(), 'processing'))).status).toBe(202);
    const reconciler = createReconciler({
      client: {
        getTask: async (_product, id) => {
          if (id === unreachable) throw new Error('offline');
          return normalize({ task_id: id, task_status: 'succeed' }, { source: 'poll' });
        },
        getTasks: async () => [],
      },
      receiver,
      store,
      fallbackAfterMs: 0,
      maxAttempts: 1,
      logger: silentLogger,
      telemetry,
    });
    await reconciler.tick();
    await sleep(60);
    const text = await scrape();
    const page = readFileSync(DOC, 'utf8');
    const queried = new Set(page.match(/\bkling_[a-z_]+/g) ?? []);
    expect(queried.size).toBeGreaterThan(15);
    for (const name of queried) expect(text, name).toContain(name);
    expect(text).toContain('kling_tasks_ended_total{kling_task_ended_by="poll"');
    expect(text).toContain('kling_tasks_ended_total{kling_task_ended_by="callback"');
  });
});
