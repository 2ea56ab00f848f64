import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createReconciler,
  KlingClient,
  type KlingReconciler,
  type KlingStore,
  klingSignature,
  silentLogger,
} from '@kling-webhooks/core';
import { redisStore } from '@kling-webhooks/redis';
import { type MockKling, mockKling } from '@kling-webhooks/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  adminClient,
  CLIENT_KINDS,
  connectClient,
  deleteByPrefix,
  describeWithRedis,
  type TestClient,
} from '../redis/support/redis.js';
import { startReceiver } from '../testing-kit/receiver.js';

// Two replicas (each its own Redis connection, store, receiver, client and reconciler) share one Redis. Callbacks
// are lost, duplicated and delayed by the mock Kling while both reconcilers poll at the same time: every state of
// every task must still reach the handlers once, and each lost terminal callback be recovered by polling.

const apiKey = 'replicas-test-key';
const TASKS = 24;

interface Replica {
  redis: TestClient;
  store: KlingStore;
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  client: KlingClient;
  reconciler: KlingReconciler;
}

describeWithRedis('reconcilers on several replicas sharing Redis', () => {
  const prefix = `kling-test:replicas:${randomUUID()}:`;
  let kling: MockKling;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    kling = await mockKling({
      apiKey,
      behaviour: {
        stepMs: 15,
        // Every third task loses its terminal callback; every callback comes twice, late by up to 40 ms.
        drop: (task, status) => (status === 'succeed' || status === 'failed') && Number(task.request.n) % 3 === 0,
        duplicate: 1,
        delayMs: (task) => (Number(task.request.n) * 7) % 40,
        fail: (task) => Number(task.request.n) % 5 === 0,
      },
    });
    for (const kind of CLIENT_KINDS) {
      const redis = await connectClient(kind);
      const store = redisStore({ client: redis.client, prefix, logger: silentLogger });
      const receiver = await startReceiver({
        verify: klingSignature({ secrets: [kling.webhookSecret as string] }),
        store,
      });
      replicas.push({ redis, store, receiver } as Replica);
    }
    for (const [i, replica] of replicas.entries()) {
      // Each replica's tasks call back the other replica: the callback and the poll of a task meet in different processes.
      const other = replicas[(i + 1) % replicas.length] as Replica;
      replica.client = new KlingClient(
        { apiKey },
        {
          baseUrl: kling.url,
          callback: { url: other.receiver.url },
          store: replica.store,
          fallbackAfterMs: 0,
          retries: 0,
          logger: silentLogger,
        },
      );
      replica.reconciler = createReconciler({
        client: replica.client,
        receiver: replica.receiver.receiver,
        store: replica.store,
        fallbackAfterMs: 0,
        intervalMs: 5,
        backoffMs: 10,
        maxBackoffMs: 40,
        leaseMs: 5_000,
        concurrency: 3,
        batchSize: 4,
        maxTasksPerTick: 6,
        logger: silentLogger,
      });
    }
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.reconciler?.stop()));
    await kling?.close();
    await Promise.all(replicas.map((r) => r.receiver.close()));
    const admin = await adminClient();
    await deleteByPrefix(admin, prefix);
    admin.disconnect();
    await Promise.all(replicas.map((r) => r.redis.close()));
  });

  it('dispatches every state once and recovers each lost terminal callback by polling', async () => {
    for (const replica of replicas) replica.reconciler.start();
    const created = await Promise.all(
      Array.from({ length: TASKS }, (_, n) => {
        const replica = replicas[n % replicas.length] as Replica;
        const product = n % 2 ? 'videos/text2video' : 'text-to-video/kling-3.0';
        return replica.client.createTask(product, { prompt: `task ${n}`, n });
      }),
    );
    await kling.whenIdle();

    const calls = () => replicas.flatMap((r) => r.receiver.calls);
    const terminal = () => calls().filter((e) => e.status === 'succeed' || e.status === 'failed');
    for (let waited = 0; terminal().length < TASKS && waited < 5_000; waited += 10) await sleep(10);
    // A few more rounds: nothing may be dispatched twice by late ticks either.
    await sleep(100);
    await Promise.all(replicas.map((r) => r.reconciler.stop()));

    const keys = calls().map((e) => `${e.taskId}:${e.status}`);
    expect(keys.length).toBe(new Set(keys).size);
    expect(new Set(terminal().map((e) => e.taskId))).toEqual(new Set(created.map((t) => t.taskId)));

    const lost = created.filter((_, n) => n % 3 === 0);
    expect(kling.stats.callbacksDropped).toBe(lost.length);
    for (const task of lost) {
      const end = terminal().find((e) => e.taskId === task.taskId);
      expect(end?.source).toBe('poll');
      expect(end?.status).toBe(kling.tasks.get(task.taskId)?.status);
    }
    expect(await replicas[0]?.store.takeDuePending(Date.now() + 3_600_000, 100, 1)).toEqual([]);
  });
});
