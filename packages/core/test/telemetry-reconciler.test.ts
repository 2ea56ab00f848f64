import {
  createKlingReceiver,
  createReconciler,
  type KlingTaskEvent,
  klingSignature,
  memoryStore,
  normalize,
  silentLogger,
} from '@kling-webhooks/core';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OtelHarness, otelHarness, parentOf } from './otel-fixtures.js';
import { legacyBody, SECRET, signedRequest, taskId } from './receiver-fixtures.js';

describe('reconciler telemetry', () => {
  let otel: OtelHarness;
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  beforeEach(() => {
    otel = otelHarness();
  });
  afterEach(() => otel.shutdown());

  it('ticks and recovered tasks as spans; tasks ended by callback vs poll, pending tasks and their oldest age', async () => {
    const telemetry = { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider };
    const store = memoryStore();
    const receiver = createKlingReceiver({
      verify: klingSignature({ secrets: [SECRET] }),
      store,
      logger: silentLogger,
      telemetry,
    });
    const lost = taskId(); // its terminal callback never comes: the poll recovers it
    const delivered = taskId(); // its terminal callback came: ended by callback
    const running = taskId(); // still running: stays pending
    const now = Date.now();
    for (const [id, age] of [
      [lost, 600_000],
      [delivered, 600_000],
      [running, 900_000],
    ] as const) {
      await store.putPending({ taskId: id, product: 'videos/text2video', createdAt: now - age, dueAt: 0, attempts: 0 });
    }
    await receiver.handle(signedRequest(legacyBody(delivered, 'succeed')));
    const states = new Map([
      [lost, 'succeed'],
      [running, 'processing'],
    ]);
    const reconciler = createReconciler({
      client: {
        getTask: async (_product: string, id: string): Promise<KlingTaskEvent> =>
          normalize({ task_id: id, task_status: states.get(id) }, { source: 'poll' }),
        getTasks: async () => [],
      },
      receiver,
      store,
      fallbackAfterMs: 0,
      now: () => now,
      logger: silentLogger,
      telemetry,
    });
    const report = await reconciler.tick();
    expect(report).toMatchObject({ taken: 3, alreadyDone: 1, polled: 2, completed: 1 });

    const [tick] = otel.spans('kling.reconciler.tick');
    expect(tick?.attributes).toMatchObject({ 'kling.reconciler.taken': 3, 'kling.reconciler.alreadyDone': 1 });
    const tasks = otel.spans('kling.reconciler.task');
    expect(tasks.every((span) => parentOf(span) === tick?.spanContext().spanId)).toBe(true);
    const outcomes = Object.fromEntries(
      tasks.map((span) => [span.attributes['kling.task.id'], span.attributes['kling.reconciler.poll.outcome']]),
    );
    expect(outcomes).toEqual({ [lost]: 'recovered', [running]: 'running' });
    const recovered = tasks.find((span) => span.attributes['kling.task.id'] === lost);
    const [process] = otel.spans('kling.process').filter((span) => span.attributes['kling.task.id'] === lost);
    expect(parentOf(process!)).toBe(recovered?.spanContext().spanId);

    expect(await otel.sum('kling.tasks.ended', { 'kling.task.ended_by': 'poll' })).toBe(1);
    expect(await otel.sum('kling.tasks.ended', { 'kling.task.ended_by': 'callback' })).toBe(1);
    expect(await otel.sum('kling.reconciler.polls', { 'kling.reconciler.poll.outcome': 'recovered' })).toBe(1);
    expect(await otel.gauge('kling.tasks.pending')).toBe(1);
    expect(await otel.gauge('kling.tasks.pending.oldest_age')).toBe(900);
  });
});
