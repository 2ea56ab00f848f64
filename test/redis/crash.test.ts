import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminClient, deleteByPrefix, describeWithRedis, REDIS_URL } from './support/redis.js';
import { assertBuilt, delivery, post, type Replica, type ReplicaConfig, startReplica } from './support/replicas.js';

const LEASE_MS = 1_000;

describeWithRedis('crash: kill -9 a replica mid-handler', () => {
  const runId = randomUUID();
  const prefix = `kling-test:${runId}:`;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const base: ReplicaConfig = {
    client: 'ioredis',
    storeUrl: REDIS_URL,
    countUrl: REDIS_URL,
    prefix,
    countKey: `${prefix}handled`,
    secret,
    leaseMs: LEASE_MS,
    ackTimeoutMs: LEASE_MS / 2,
    commandTimeoutMs: 1_000,
  };
  let admin: Redis;
  let doomed: Replica;
  let survivor: Replica;

  beforeAll(async () => {
    assertBuilt();
    admin = await adminClient();
    [doomed, survivor] = await Promise.all([
      startReplica({ ...base, hang: true }),
      startReplica({ ...base, client: 'node-redis' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([doomed?.stop(), survivor?.stop()]);
    if (admin) await deleteByPrefix(admin, prefix);
    admin?.disconnect();
  });

  it('hands the event to another replica once the dead one’s lease lapses, and runs it once', async () => {
    const d = delivery(`crash-${runId}`, secret);
    const first = post(doomed.url, d).catch((error: unknown) => error);
    await doomed.next('hanging');
    const claimedBy = Date.now();
    doomed.child.kill('SIGKILL'); // kill -9, mid-handler: no release, no complete
    expect(await first).toBeInstanceOf(Error); // the sender saw the connection die

    // Within the lease the event is still held by the dead process: the sender is told to come back.
    const early = await post(survivor.url, d);
    expect(early.status).toBe(409);
    expect(early.retryAfterSec).toBeGreaterThanOrEqual(1);
    expect(await admin.hget(base.countKey, d.taskId)).toBeNull();

    await sleep(Math.max(early.retryAfterSec * 1000, claimedBy + LEASE_MS - Date.now()));
    const redelivery = await post(survivor.url, d);
    expect(redelivery).toMatchObject({ status: 200, body: { ok: true } });
    expect(redelivery.body.duplicate).toBeUndefined();
    expect(await admin.hget(base.countKey, d.taskId)).toBe('1');

    const again = await post(survivor.url, d);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(await admin.hget(base.countKey, d.taskId)).toBe('1');
    console.log(
      `[crash] killed pid ${doomed.child.pid} mid-handler; 409 (Retry-After ${early.retryAfterSec} s) until the ` +
        `${LEASE_MS} ms lease lapsed; redelivery handled by pid ${survivor.child.pid} after ${Date.now() - claimedBy} ms; handled once`,
    );
  });
});
