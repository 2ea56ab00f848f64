import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { bullmqQueue, type KlingBullmqQueue } from '@kling-webhooks/bullmq';
import { createKlingReceiver, klingSignature, signKlingWebhook, silentLogger } from '@kling-webhooks/core';
import { redisStore } from '@kling-webhooks/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deleteByPrefix, describeWithRedis, REDIS_URL } from '../redis/support/redis.js';
import { assertBuilt } from '../redis/support/replicas.js';
import { eventually } from './support/queue.js';

const fixture = fileURLToPath(new URL('./fixtures/worker-process.mjs', import.meta.url));
const EVENTS = 1000;
const ATTEMPTS = 10;
const CONCURRENCY = 4;

interface WorkerMessage {
  type: 'ready' | 'start' | 'end';
  key?: string;
}

/** A worker process and the jobs it has started but not ended. */
interface WorkerProcess {
  child: ChildProcess;
  running: Set<string>;
  started: number;
}

describeWithRedis('crash: 3 worker processes, 1000 events, 20 % handler failures, one worker killed mid-job', () => {
  const id = randomUUID();
  const prefix = `kling-test-crash-${id}`;
  const name = 'events';
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let admin: Redis;
  let storeClient: Redis;
  let queue: KlingBullmqQueue;
  let server: Server;
  let url: string;
  const workers: WorkerProcess[] = [];

  const startWorker = async (index: number): Promise<WorkerProcess> => {
    const config = {
      id: `w${index}`,
      redisUrl: REDIS_URL,
      prefix,
      name,
      concurrency: CONCURRENCY,
      failureRate: 0.2,
      maxHandlerMs: 20,
      leaseMs: 2_000,
      lockDurationMs: 2_000,
    };
    const child = fork(fixture, [], {
      env: { ...process.env, KLING_TEST_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker: WorkerProcess = { child, running: new Set(), started: 0 };
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'start' && message.key !== undefined) {
        worker.running.add(message.key);
        worker.started++;
      }
      if (message.type === 'end' && message.key !== undefined) worker.running.delete(message.key);
    });
    const ready = await Promise.race([
      once(child, 'message').then(([message]) => message as WorkerMessage),
      once(child, 'exit').then(() => {
        throw new Error(`worker ${index} exited before it was ready`);
      }),
    ]);
    expect(ready.type).toBe('ready');
    return worker;
  };

  beforeAll(async () => {
    assertBuilt(['core', 'redis', 'bullmq']);
    admin = new Redis(REDIS_URL);
    storeClient = new Redis(REDIS_URL);
    queue = bullmqQueue({
      connection: { url: REDIS_URL },
      name,
      prefix,
      attempts: ATTEMPTS,
      backoff: { type: 'fixed', delay: 20 },
    });
    const receiver = createKlingReceiver({
      verify: klingSignature({ secrets: [secret] }),
      store: redisStore({ client: storeClient, prefix: `${prefix}-store:` }),
      queue,
      logger: silentLogger,
    });
    server = createServer(async (req, res) => {
      const { status, headers, body } = await receiver.handle({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        rawBody: req,
      });
      res.writeHead(status, headers).end(body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/kling`;
    workers.push(...(await Promise.all([0, 1, 2].map(startWorker))));
  }, 60_000);
  afterAll(async () => {
    for (const worker of workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    }
    server?.close();
    await queue?.close();
    if (admin) await deleteByPrefix(admin, prefix);
    admin?.disconnect();
    storeClient?.disconnect();
  });

  it('records every event’s handler success exactly once by its idempotency key, none lost', async () => {
    const post = async (taskId: string): Promise<number> => {
      const body = JSON.stringify({ task_id: taskId, task_status: 'succeed', task_status_msg: '', created_at: 1 });
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signKlingWebhook({ secret, body }) },
        body,
      });
      await response.text();
      return response.status;
    };
    const ids = Array.from({ length: EVENTS }, (_, i) => `crash-${id}-${i}`);
    const statuses: number[] = [];
    let killed: { running: number; keys: string[]; unrecorded: string[] } | undefined;
    for (let i = 0; i < ids.length; i += 50) {
      statuses.push(...(await Promise.all(ids.slice(i, i + 50).map(post))));
      // Once the workers are busy, kill -9 the first one while it is inside handlers.
      if (killed === undefined && i >= 200) {
        const doomed = workers[0] as WorkerProcess;
        await eventually(() => doomed.running.size > 0, 'the doomed worker to be mid-job', 10_000);
        doomed.child.kill('SIGKILL');
        const keys = [...doomed.running];
        // Jobs it was inside and had not recorded yet: another worker must run them to the end.
        const recorded = await admin.hmget(`${prefix}:done`, ...keys);
        killed = { running: keys.length, keys, unrecorded: keys.filter((_, i) => recorded[i] === null) };
      }
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(killed?.running).toBeGreaterThan(0);

    const done = `${prefix}:done`;
    await eventually(
      async () => {
        const counts = await queue.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
        const count = (state: string) => counts[state] ?? 0;
        const finished = (await admin.hlen(done)) + count('failed');
        return finished === EVENTS && count('waiting') + count('active') + count('delayed') === 0;
      },
      'every event to be done or failed for good',
      90_000,
    );
    const failed = await queue.queue.getFailed();
    // None left failed unless it failed every attempt (20 %^10: practically none).
    for (const job of failed) expect(job.attemptsMade).toBe(ATTEMPTS);
    const records = await admin.hgetall(done);
    const successes = await admin.hgetall(`${prefix}:successes`);
    const attempts = await admin.hgetall(`${prefix}:attempts`);
    const failedKeys = new Set(failed.map((job) => job.data.key));
    const twice = Object.entries(successes).filter(([, count]) => Number(count) > 1);
    expect(twice.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(Object.keys(records).length + failedKeys.size).toBe(EVENTS);
    // The jobs the killed worker was inside went to another worker once their lock and lease lapsed.
    for (const key of killed?.keys ?? []) expect(records[key] !== undefined || failedKeys.has(key)).toBe(true);
    for (const key of killed?.unrecorded ?? []) {
      expect(records[key] ?? (failedKeys.has(key) ? 'failed' : undefined)).toMatch(/^w[12]$|^failed$/);
    }
    if (process.env.KLING_CRASH_STATS === '1') {
      const total = Object.values(attempts).reduce((sum, count) => sum + Number(count), 0);
      console.log({
        killedMidJob: killed?.keys.length,
        unrecorded: killed?.unrecorded.length,
        attempts: total,
        ranTwice: twice.length,
        failed: failed.length,
      });
    }
    // Handlers that failed ran again; the one killed worker may have finished a handler without completing its job:
    // that event ran twice (at-least-once), and its record under the idempotency key still exists once.

    expect(Object.values(attempts).some((count) => Number(count) > 1)).toBe(true);
    expect((workers[1]?.started ?? 0) + (workers[2]?.started ?? 0)).toBeGreaterThan(0);
  }, 120_000);
});
