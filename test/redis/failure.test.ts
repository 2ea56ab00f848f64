import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type KlingEventRef, type KlingStore, KlingStoreError } from '@kling-webhooks/core';
import { storeKeys } from '@kling-webhooks/core/adapter';
import { redisStore } from '@kling-webhooks/redis';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { TcpProxy } from './support/proxy.js';
import { recordingClient, recordingLogger } from './support/recording.js';
import {
  adminClient,
  connectClient,
  deleteByPrefix,
  describeWithRedis,
  hostPort,
  IN_PROCESS_CLIENT_KINDS,
  REDIS_URL,
  type TestClient,
} from './support/redis.js';

const TIMEOUT_MS = 300;
/** Scheduling slack on a busy CI box; the point is "about commandTimeoutMs", not "until the client gives up". */
const MARGIN_MS = 250;
const LONG_LEASE = { leaseMs: 60_000, ttlMs: 60_000 };
/** A non-terminal event of task `id`. */
const ev = (id: string): KlingEventRef => ({ taskId: id, status: 'processing', terminal: false });

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function timedClaim(store: KlingStore, key: string) {
  const started = Date.now();
  const outcome = await store.claim(ev(key), LONG_LEASE).then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
  return { ...outcome, ms: Date.now() - started };
}

for (const kind of IN_PROCESS_CLIENT_KINDS) {
  describeWithRedis(`redisStore when Redis fails (${kind})`, () => {
    const prefix = `kling-test:${randomUUID()}:`;
    let admin: Redis;
    let direct: KlingStore;
    let proxy: TcpProxy;
    let user: TestClient;

    beforeAll(async () => {
      admin = await adminClient();
      direct = redisStore({ client: admin, prefix });
    });
    afterAll(async () => {
      await deleteByPrefix(admin, prefix);
      admin?.disconnect();
    });
    beforeEach(async () => {
      proxy = await TcpProxy.start(hostPort(REDIS_URL));
      user = await connectClient(kind, proxy.urlFor(REDIS_URL));
    });
    afterEach(async () => {
      await user.close();
      await proxy.close();
    });

    it('fails fast with KlingStoreError while Redis is cut off, logs the outage once, recovers by itself', async () => {
      const { logger, lines } = recordingLogger();
      const store = redisStore({ client: user.client, prefix, commandTimeoutMs: TIMEOUT_MS, logger });
      expect((await store.claim(ev(randomUUID()), LONG_LEASE)).state).toBe('claimed');

      proxy.cut();
      for (let i = 0; i < 5; i++) {
        const { error, ms } = await timedClaim(store, randomUUID());
        expect(error).toBeInstanceOf(KlingStoreError);
        expect(ms).toBeLessThanOrEqual(TIMEOUT_MS + MARGIN_MS);
      }
      expect(lines.error).toHaveLength(1);
      expect(lines.info).toHaveLength(0);

      await proxy.restore();
      // A probe that times out may still claim later: each probe uses a fresh key.
      const result = await until(async () => store.claim(ev(randomUUID()), LONG_LEASE), 10_000);
      expect(result.state).toBe('claimed');
      expect(lines.error).toHaveLength(1);
      expect(lines.info).toHaveLength(1);
    });

    it('releases a claim that timed out but reached Redis later (no phantom lease)', async () => {
      const { client, sent } = recordingClient(user);
      const store = redisStore({ client, prefix, commandTimeoutMs: TIMEOUT_MS, logger: recordingLogger().logger });
      await store.claim(ev(randomUUID()), LONG_LEASE); // the claim script is loaded: the late claim is one EVALSHA
      const key = randomUUID();

      proxy.hold(); // connected, but Redis sees nothing: the claim times out
      const { error } = await timedClaim(store, key);
      expect(error).toBeInstanceOf(KlingStoreError);
      await proxy.restore(); // the held claim now runs on Redis and takes the lease

      const claimReply = await until(async () => {
        const claim = sent.find(
          (c) => c.args.includes(`${prefix}d:${storeKeys.event(key, 'processing')}`) && c.reply !== undefined,
        );
        return claim?.reply;
      }, 5_000);
      expect(Number(claimReply)).toBe(0); // it did claim, after the caller had been told it failed
      // The store let go of it at once: a redelivery is not held off for the 60 s lease.
      const redelivery = await until(async () => {
        const result = await direct.claim(ev(key), LONG_LEASE);
        return result.state === 'claimed' ? result : undefined;
      }, 2_000);
      expect(redelivery.state).toBe('claimed');
    });

    it('lets a redelivery to the same process take over its own timed-out claim at once', async () => {
      const store = redisStore({ client: user.client, prefix, commandTimeoutMs: TIMEOUT_MS });
      await store.claim(ev(randomUUID()), LONG_LEASE); // the claim script is loaded: the late claim is one EVALSHA
      const key = randomUUID();

      proxy.hold();
      expect((await timedClaim(store, key)).error).toBeInstanceOf(KlingStoreError);
      await proxy.restore();
      // Same connection, so Redis runs the late claim first and this one right after, before any release.
      const redelivery = await store.claim(ev(key), LONG_LEASE);
      expect(redelivery.state).toBe('claimed');
      await sleep(100); // the late claim's reply has come and its release (of the old token) has run
      expect((await direct.claim(ev(key), LONG_LEASE)).state).toBe('in-flight');
      if (redelivery.state !== 'claimed') return;
      expect(await store.complete(ev(key), redelivery.token, { ttlMs: 60_000 })).toBe(true);
    });

    it('releases a claim the client queued while disconnected and sent after reconnecting', async () => {
      const { client, sent } = recordingClient(user);
      const store = redisStore({ client, prefix, commandTimeoutMs: TIMEOUT_MS, logger: recordingLogger().logger });
      await store.claim(ev(randomUUID()), LONG_LEASE);
      const key = randomUUID();

      proxy.cut();
      await sleep(50);
      const { error } = await timedClaim(store, key);
      expect(error).toBeInstanceOf(KlingStoreError);
      await proxy.restore();

      const claimReply = await until(async () => {
        const claim = sent.find(
          (c) => c.args.includes(`${prefix}d:${storeKeys.event(key, 'processing')}`) && c.reply !== undefined,
        );
        return claim?.reply;
      }, 8_000);
      expect(Number(claimReply)).toBe(0);
      const redelivery = await until(async () => {
        const result = await direct.claim(ev(key), LONG_LEASE);
        return result.state === 'claimed' ? result : undefined;
      }, 2_000);
      expect(redelivery.state).toBe('claimed');
    });
  });
}
