import { randomUUID } from 'node:crypto';
import { redisStore } from '@kling-webhooks/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  ACK_TIMEOUT_MS,
  CALLBACK_PATH,
  legacyBody,
  Recorder,
  send,
  suiteVerify,
  taskId,
} from '../conformance/support.js';
import type { ConformanceApp } from '../conformance/target.js';
import { honoNodeTarget } from '../conformance/targets/hono-node.js';
import { adminClient, deleteByPrefix, describeWithRedis, REDIS_URL } from '../redis/support/redis.js';
import { createRemoteApp, type RuntimeServer, startBridge } from './remote-target.js';
import { startBun, startDeno } from './runtimes.js';

const sorted = (calls: readonly string[]) => [...calls].sort();

// The runtimes with TCP share one Redis store: Bun and Deno (the fixture with @kling-webhooks/redis over ioredis)
// and Node (Hono on @hono/node-server, in this process). Deliveries of one event to any of them are one event.
describeWithRedis('the Redis store across Bun, Deno and Node', () => {
  const recorder = new Recorder();
  const prefix = `kling-test:web:${randomUUID()}:`;
  let admin: Redis;
  const servers: RuntimeServer[] = [];
  const closers: (() => Promise<void>)[] = [];
  const urls: Record<'bun' | 'deno' | 'node', string> = { bun: '', deno: '', node: '' };

  beforeAll(async () => {
    admin = await adminClient();
    const [bun, deno] = await Promise.all([startBun(), startDeno()]);
    servers.push(bun, deno);
    const bridge = await startBridge(recorder.handlers());
    closers.push(() => bridge.close());
    const config = { ackTimeoutMs: ACK_TIMEOUT_MS, bridge: bridge.url, redis: { url: REDIS_URL, prefix } };
    urls.bun = await createRemoteApp(bun.baseUrl, config);
    urls.deno = await createRemoteApp(deno.baseUrl, config);
    const node: ConformanceApp = await honoNodeTarget.start({
      path: CALLBACK_PATH,
      verify: suiteVerify(),
      ackTimeoutMs: ACK_TIMEOUT_MS,
      store: redisStore({ client: admin, prefix }),
      handlers: recorder.handlers(),
    });
    closers.push(() => node.close());
    urls.node = node.baseUrl;
  });

  afterAll(async () => {
    await Promise.all([...servers.map((server) => server.stop()), ...closers.map((close) => close())]);
    await deleteByPrefix(admin, prefix);
    await admin.quit();
  });

  it('a delivery handled in Bun is a duplicate in Deno and in Node', async () => {
    const id = taskId();
    const body = legacyBody(id, 'succeed');
    const credential = { kind: 'kling', id: `msg_${id}`, timestamp: Math.floor(Date.now() / 1000) } as const;
    expect((await send(urls.bun, body, { credential })).json).toEqual({ ok: true });
    expect((await send(urls.deno, body, { credential })).json).toEqual({ ok: true, duplicate: true });
    expect((await send(urls.node, body, { credential })).json).toEqual({ ok: true, duplicate: true });
    expect(sorted(recorder.callsOf(id))).toEqual(['*', 'succeed']);
  });

  it('a handler that throws in Deno releases the event: the redelivery to Bun handles it', async () => {
    const id = taskId();
    recorder.behave(id, { failTimes: 1 });
    const body = legacyBody(id, 'succeed');
    expect((await send(urls.deno, body)).status).toBe(500);
    expect((await send(urls.bun, body)).json).toEqual({ ok: true });
    expect((await send(urls.node, body)).json).toEqual({ ok: true, duplicate: true });
    expect(sorted(recorder.callsOf(id))).toEqual(['*', '*', 'succeed', 'succeed']);
  });

  it('once Node claimed the end of a task, Bun and Deno dispatch nothing more of it', async () => {
    const id = taskId();
    expect((await send(urls.node, legacyBody(id, 'failed'))).status).toBe(200);
    for (const url of [urls.bun, urls.deno]) {
      expect((await send(url, legacyBody(id, 'processing'))).json).toEqual({ ok: true, ignored: 'out-of-order' });
    }
    expect(sorted(recorder.callsOf(id))).toEqual(['*', 'failed']);
  });
});
