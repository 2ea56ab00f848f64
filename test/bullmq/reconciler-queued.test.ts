import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { bullmqQueue, createKlingWorker, type KlingBullmqQueue, type KlingWorker } from '@kling-webhooks/bullmq';
import {
  createReconciler,
  KlingClient,
  type KlingReconciler,
  type KlingStore,
  type KlingTaskEvent,
  klingSignature,
  silentLogger,
} from '@kling-webhooks/core';
import { redisStore } from '@kling-webhooks/redis';
import { type MockKling, mockKling } from '@kling-webhooks/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  adminClient,
  connectClient,
  deleteByPrefix,
  describeWithRedis,
  REDIS_URL,
  type TestClient,
} from '../redis/support/redis.js';
import { startReceiver } from '../testing-kit/receiver.js';

// The reconciler with a queue: poll results go through `receiver.process`, which queues them like callbacks, and the
// workers run the handlers. Pending tasks stay in the store's queue (see the bullmq README: "The reconciler"): two
// replicas never poll one task at once, and a restarted reconciler (new connections) finds every pending task.

const apiKey = 'queued-replicas-key';
const TASKS = 18;

interface Replica {
  redis: TestClient;
  store: KlingStore;
  queue: KlingBullmqQueue;
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  worker: KlingWorker;
  client: KlingClient;
  reconciler: KlingReconciler;
}

/** One poll: which replica asked for which tasks, when. */
interface Poll {
  replica: number;
  ids: string[];
  start: number;
  end: number;
}

describeWithRedis('reconcilers on two replicas with a BullMQ queue', () => {
  const id = randomUUID();
  const prefix = `kling-test-rq-${id}`;
  let kling: MockKling;
  const replicas: Replica[] = [];
  const handled: KlingTaskEvent[] = [];
  const polls: Poll[] = [];
  /** The connections of the restarted reconcilers. */
  const restarted: TestClient[] = [];

  const reconcilerFor = (replica: Replica, index: number): KlingReconciler => {
    // Count the polls: no task may be asked by two replicas at overlapping times.
    const client = replica.client;
    const getTask = client.getTask.bind(client);
    const getTasks = client.getTasks.bind(client);
    const timed = async <T>(ids: string[], run: () => Promise<T>): Promise<T> => {
      const poll: Poll = { replica: index, ids, start: performance.now(), end: Number.POSITIVE_INFINITY };
      polls.push(poll);
      try {
        return await run();
      } finally {
        poll.end = performance.now();
      }
    };
    const counted = Object.create(client) as KlingClient;
    counted.getTask = ((product: string, taskId: string) =>
      timed([taskId], () => getTask(product, taskId))) as KlingClient['getTask'];
    counted.getTasks = ((ids: string[], options?: Parameters<KlingClient['getTasks']>[1]) =>
      timed(ids, () => getTasks(ids, options))) as KlingClient['getTasks'];
    return createReconciler({
      client: counted,
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
  };

  beforeAll(async () => {
    kling = await mockKling({
      apiKey,
      behaviour: {
        stepMs: 15,
        // Every third task loses its terminal callback.
        drop: (task, status) => (status === 'succeed' || status === 'failed') && Number(task.request.n) % 3 === 0,
        duplicate: 1,
      },
    });
    for (let i = 0; i < 2; i++) {
      const redis = await connectClient('ioredis');
      const store = redisStore({ client: redis.client, prefix: `${prefix}-store:`, logger: silentLogger });
      const queue = bullmqQueue({ connection: { url: REDIS_URL }, prefix, name: 'events' });
      const receiver = await startReceiver({
        verify: klingSignature({ secrets: [kling.webhookSecret as string] }),
        store,
        queue,
      });
      receiver.receiver.on('*', (event) => void handled.push(event));
      const worker = createKlingWorker({
        receiver: receiver.receiver,
        connection: { url: REDIS_URL },
        prefix,
        name: 'events',
        concurrency: 4,
        inFlightDelayMs: 50,
      });
      replicas.push({ redis, store, queue, receiver, worker } as Replica);
    }
    for (const [i, replica] of replicas.entries()) {
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
    }
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.reconciler?.stop()));
    await kling?.close();
    await Promise.all(replicas.map((r) => r.receiver.close()));
    await Promise.all(replicas.map((r) => r.worker.close()));
    await Promise.all(replicas.map((r) => r.queue.close()));
    const admin = await adminClient();
    await deleteByPrefix(admin, prefix);
    admin.disconnect();
    await Promise.all([...replicas.map((r) => r.redis), ...restarted].map((redis) => redis.close()));
  });

  it('recovers lost terminal callbacks once through the queue, across a reconciler restart, never polling a task twice at once', async () => {
    const created = await Promise.all(
      Array.from({ length: TASKS }, (_, n) => {
        const replica = replicas[n % replicas.length] as Replica;
        const product = n % 2 ? 'videos/text2video' : 'text-to-video/kling-3.0';
        return replica.client.createTask(product, { prompt: `task ${n}`, n });
      }),
    );
    await kling.whenIdle();
    // A restart before any tick: the reconcilers are made anew, on new connections; the pending tasks are in Redis.
    for (const [i, replica] of replicas.entries()) {
      const redis = await connectClient('ioredis');
      restarted.push(redis);
      const store = redisStore({ client: redis.client, prefix: `${prefix}-store:`, logger: silentLogger });
      replica.reconciler = reconcilerFor({ ...replica, store }, i);
      replica.reconciler.start();
    }

    const terminal = () => handled.filter((e) => e.status === 'succeed' || e.status === 'failed');
    for (let waited = 0; terminal().length < TASKS && waited < 10_000; waited += 10) await sleep(10);
    await sleep(200);
    await Promise.all(replicas.map((r) => r.reconciler.stop()));

    const keys = handled.map((e) => `${e.taskId}:${e.status}`);
    expect(keys.length).toBe(new Set(keys).size);
    expect(new Set(terminal().map((e) => e.taskId))).toEqual(new Set(created.map((t) => t.taskId)));
    const lost = created.filter((_, n) => n % 3 === 0);
    expect(kling.stats.callbacksDropped).toBe(lost.length);
    for (const task of lost) expect(terminal().find((e) => e.taskId === task.taskId)?.source).toBe('poll');
    expect(polls.length).toBeGreaterThan(0);
    for (const a of polls) {
      for (const b of polls) {
        if (a.replica === b.replica || !a.ids.some((taskId) => b.ids.includes(taskId))) continue;
        expect(a.end <= b.start || b.end <= a.start).toBe(true);
      }
    }
    expect(await replicas[0]?.store.takeDuePending(Date.now() + 3_600_000, 100, 1)).toEqual([]);
  }, 30_000);
});
