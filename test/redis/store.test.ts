import { randomUUID } from 'node:crypto';
import { KlingConfigError, type KlingEventRef } from '@kling-webhooks/core';
import { redisStore } from '@kling-webhooks/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordingClient } from './support/recording.js';
import {
  adminClient,
  connectClient,
  deleteByPrefix,
  describeWithRedis,
  IN_PROCESS_CLIENT_KINDS,
  type TestClient,
} from './support/redis.js';

const LEASE = { leaseMs: 60_000, ttlMs: 60_000 };
const ev = (taskId: string, status = 'processing'): KlingEventRef => ({
  taskId,
  status,
  terminal: status === 'succeed',
});

for (const kind of IN_PROCESS_CLIENT_KINDS) {
  describeWithRedis(`redisStore specifics with ${kind}`, () => {
    let user: TestClient;
    let admin: Redis;
    const prefix = `kling-test:${randomUUID()}:`;

    beforeAll(async () => {
      user = await connectClient(kind);
      admin = await adminClient();
    });
    afterAll(async () => {
      await deleteByPrefix(admin, prefix);
      await user?.close();
      admin?.disconnect();
    });

    it('gives every key it writes a TTL', async () => {
      const own = `${prefix}${randomUUID()}:`;
      const store = redisStore({ client: user.client, prefix: own });
      const claim = await store.claim(ev('task-1', 'succeed'), LEASE);
      if (claim.state !== 'claimed') throw new Error('not claimed');
      await store.complete(ev('task-1', 'succeed'), claim.token, { ttlMs: 60_000 });
      await store.claim(ev('task-2'), LEASE);
      await store.putPending({ taskId: 't', product: 'videos/text2video', createdAt: 1, dueAt: 2, attempts: 0 });
      await store.takeDuePending(10, 10, 1_000);
      const keys = await admin.keys(`${own}*`);
      expect(keys.sort()).toEqual(
        [
          `${own}d:{task-1}:e:succeed`,
          `${own}d:{task-1}:t`,
          `${own}d:{task-2}:e:processing`,
          `${own}pending`,
          `${own}pending:tasks`,
        ].sort(),
      );
      for (const key of keys) expect(await admin.pttl(key), key).toBeGreaterThan(0);
    });

    it('claims in one round trip once the script is loaded, and falls back to EVAL on NOSCRIPT', async () => {
      let unknownSha = true;
      // The first EVALSHA names a script Redis never saw: the real server answers NOSCRIPT.
      const { client, sent } = recordingClient(user, (args) => {
        if (args[0] !== 'EVALSHA' || !unknownSha) return args;
        unknownSha = false;
        return ['EVALSHA', 'f'.repeat(40), ...args.slice(2)];
      });
      const store = redisStore({ client, prefix });
      expect((await store.claim(ev(randomUUID()), LEASE)).state).toBe('claimed');
      expect(sent.map((c) => c.args[0])).toEqual(['EVALSHA', 'EVAL']);
      sent.length = 0;
      expect((await store.claim(ev(randomUUID()), LEASE)).state).toBe('claimed');
      expect(sent.map((c) => c.args[0])).toEqual(['EVALSHA']);
    });

    it('keeps at most maxPending tasks, dropping the ones due longest ago', async () => {
      const pendingKey = `${prefix}pending-${randomUUID()}`;
      const store = redisStore({ client: user.client, prefix, pendingKey, maxPending: 3, pendingTtlMs: 50_000 });
      for (const dueAt of [5, 1, 4, 2, 3]) {
        await store.putPending({ taskId: `t${dueAt}`, product: 'p', createdAt: 0, dueAt, attempts: 0 });
      }
      expect(await admin.zcard(pendingKey)).toBe(3);
      expect(await admin.hlen(`${pendingKey}:tasks`)).toBe(3);
      expect((await store.takeDuePending(10, 10, 1)).map((t) => t.taskId)).toEqual(['t3', 't4', 't5']);
      expect(await admin.pttl(pendingKey)).toBeLessThanOrEqual(50_000);
    });

    it('keeps stores with different prefixes apart', async () => {
      const a = redisStore({ client: user.client, prefix: `${prefix}a:` });
      const b = redisStore({ client: user.client, prefix: `${prefix}b:` });
      const key = randomUUID();
      expect((await a.claim(ev(key), LEASE)).state).toBe('claimed');
      expect((await b.claim(ev(key), LEASE)).state).toBe('claimed');
    });
  });
}

it('rejects a client of neither kind and a bad timeout', () => {
  expect(() => redisStore({ client: {} as never })).toThrow(KlingConfigError);
  expect(() => redisStore({ client: { call: async () => 'OK' }, commandTimeoutMs: 0 })).toThrow(KlingConfigError);
});
