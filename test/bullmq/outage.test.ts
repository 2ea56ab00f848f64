import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { bullmqQueue, createKlingWorker, type KlingBullmqQueue, type KlingWorker } from '@kling-webhooks/bullmq';
import { createKlingReceiver, type KlingLogger, klingSignature } from '@kling-webhooks/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { legacyBody, send, taskId, WEBHOOK_SECRET } from '../conformance/support.js';
import { TcpProxy } from '../redis/support/proxy.js';
import { describeWithRedis, hostPort, REDIS_URL } from '../redis/support/redis.js';
import { eventually, openSpace, type QueueSpace } from './support/queue.js';

const ACK_TIMEOUT_MS = 1_000;

describeWithRedis('Redis down: 503 on the HTTP side, workers reconnect by themselves', () => {
  let space: QueueSpace;
  let proxy: TcpProxy;
  let queue: KlingBullmqQueue;
  let worker: KlingWorker;
  let server: Server;
  let baseUrl: string;
  const handled = new Map<string, number>();
  const logs: string[] = [];
  const logger: KlingLogger = {
    debug: () => {},
    info: (message) => void logs.push(`info ${message}`),
    warn: (message) => void logs.push(`warn ${message}`),
    error: (message) => void logs.push(`error ${message}`),
  };

  beforeAll(async () => {
    space = await openSpace();
    proxy = await TcpProxy.start(hostPort(REDIS_URL));
    // The queue and the worker reach Redis through the proxy; the store directly, so the queue's outage is the one seen.
    const connection = { url: proxy.urlFor(REDIS_URL) };
    queue = bullmqQueue({ connection, name: space.name, prefix: space.prefix, logger });
    const receiver = createKlingReceiver({
      verify: klingSignature({ secrets: [WEBHOOK_SECRET] }),
      store: space.store,
      queue,
      ackTimeoutMs: ACK_TIMEOUT_MS,
      logger,
    });
    receiver.on('*', (event) => void handled.set(event.taskId, (handled.get(event.taskId) ?? 0) + 1));
    worker = createKlingWorker({ receiver, connection, name: space.name, prefix: space.prefix, logger });
    server = createServer(async (req, res) => {
      const answer = await receiver.handle({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        rawBody: req,
      });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    await proxy?.restore().catch(() => {});
    await worker?.close();
    await queue?.close();
    await proxy?.close();
    await space?.close();
  });

  it('answers 503 fast while the queue cannot store, accepts and handles the same delivery once after it is back', async () => {
    const before = taskId();
    expect((await send(baseUrl, legacyBody(before, 'succeed'))).json).toEqual({ ok: true, queued: true });
    await eventually(() => handled.get(before) === 1, 'the worker to handle the first event');

    proxy.cut();
    const id = taskId();
    const body = legacyBody(id, 'succeed');
    for (let i = 0; i < 3; i++) {
      const answer = await send(baseUrl, body);
      expect(answer.status).toBe(503);
      expect(answer.json).toEqual({ error: 'queue_unavailable' });
      expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(answer.ms).toBeLessThan(ACK_TIMEOUT_MS + 500);
    }
    expect(logs.filter((line) => line.startsWith('error enqueue failed'))).toHaveLength(1);
    await sleep(300);
    expect(handled.get(id)).toBeUndefined();

    await proxy.restore();
    // The sender retries; once the queue's connection is back, the delivery is stored (its claim was released).
    let accepted = false;
    const deadline = Date.now() + 20_000;
    while (!accepted && Date.now() < deadline) {
      const answer = await send(baseUrl, body);
      accepted = answer.status === 200;
      if (!accepted) {
        expect(answer.status).toBe(503);
        await sleep(200);
      } else {
        expect(answer.json).toEqual({ ok: true, queued: true });
      }
    }
    expect(accepted).toBe(true);
    // The worker reconnected by itself (nobody restarted it) and runs it.
    await eventually(() => handled.get(id) === 1, 'the reconnected worker to handle the event', 30_000);
    await sleep(300);
    expect(handled.get(id)).toBe(1);
    expect(logs).toContain('info queue stores events again');
  }, 60_000);

  it('answers 503 within the ack budget when Redis holds the command, and a late-landing job still runs once', async () => {
    const id = taskId();
    const body = legacyBody(id, 'succeed');
    proxy.hold();
    const answer = await send(baseUrl, body);
    expect(answer.status).toBe(503);
    expect(answer.json).toEqual({ error: 'queue_unavailable' });
    expect(answer.ms).toBeLessThan(ACK_TIMEOUT_MS + 500);
    // The held add lands when Redis answers again; the sender's retry finds the job and queues nothing new.
    await proxy.restore();
    let again = await send(baseUrl, body);
    for (let i = 0; again.status !== 200 && i < 50; i++) {
      await sleep(200);
      again = await send(baseUrl, body);
    }
    expect(again.status).toBe(200);
    await eventually(() => handled.get(id) === 1, 'the event to run', 30_000);
    await sleep(500);
    expect(handled.get(id)).toBe(1);
  }, 60_000);
});
