import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TcpProxy } from './support/proxy.js';
import { adminClient, CLIENT_KINDS, deleteByPrefix, describeWithRedis, hostPort, REDIS_URL } from './support/redis.js';
import { assertBuilt, type Delivery, delivery, post, type Replica, startReplica } from './support/replicas.js';

const COMMAND_TIMEOUT_MS = 300;
/** HTTP, signature check and a busy CI box on top of the command timeout. */
const MARGIN_MS = 500;
/** Long, so that a lease left behind by a timed-out claim would show as 409s. */
const LEASE_MS = 60_000;
const DELIVERIES = 5;

for (const kind of CLIENT_KINDS) {
  describeWithRedis(`outage: Redis cut off from a replica (${kind})`, () => {
    const runId = randomUUID();
    const prefix = `kling-test:${runId}:`;
    const countKey = `${prefix}handled`;
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    let admin: Redis;
    let proxy: TcpProxy;
    let replica: Replica;

    beforeAll(async () => {
      assertBuilt();
      admin = await adminClient();
      proxy = await TcpProxy.start(hostPort(REDIS_URL));
      replica = await startReplica({
        client: kind,
        storeUrl: proxy.urlFor(REDIS_URL),
        countUrl: REDIS_URL,
        prefix,
        countKey,
        secret,
        leaseMs: LEASE_MS,
        ackTimeoutMs: 4_000,
        commandTimeoutMs: COMMAND_TIMEOUT_MS,
      });
    });
    afterAll(async () => {
      await replica?.stop();
      await proxy?.close();
      if (admin) await deleteByPrefix(admin, prefix);
      admin?.disconnect();
    });

    it('answers 503 fast and runs nothing while Redis is unreachable, then handles the same deliveries once', async () => {
      expect((await post(replica.url, delivery(`warm-${runId}`, secret))).status).toBe(200);
      const deliveries = Array.from({ length: DELIVERIES }, (_, i) => delivery(`outage-${runId}-${i}`, secret));

      proxy.cut();
      const during: Array<{ status: number; ms: number }> = [];
      for (const d of deliveries) {
        const started = Date.now();
        const answer = await post(replica.url, d);
        during.push({ status: answer.status, ms: Date.now() - started });
      }
      expect(during.map((a) => a.status)).toEqual(deliveries.map(() => 503));
      for (const a of during) expect(a.ms).toBeLessThanOrEqual(COMMAND_TIMEOUT_MS + MARGIN_MS);
      expect(await admin.hlen(countKey)).toBe(1); // the warm-up only: no handler ran
      await sleep(100); // log lines travel over IPC
      expect(replica.logs('error')).toHaveLength(1);

      await proxy.restore();
      // As Kling would: each delivery again until it is no longer 503. A lease left by a claim that timed out
      // during the outage would answer 409 here for LEASE_MS.
      const after: Array<number[]> = [];
      for (const d of deliveries) after.push(await deliverPast503(replica, d));
      expect(after.map((statuses) => statuses.at(-1))).toEqual(deliveries.map(() => 200));
      expect(after.flat()).not.toContain(409);
      for (const d of deliveries) expect(await admin.hget(countKey, d.taskId)).toBe('1');

      for (const d of deliveries) expect((await post(replica.url, d)).body.duplicate).toBe(true);
      for (const d of deliveries) expect(await admin.hget(countKey, d.taskId)).toBe('1');
      await sleep(100);
      expect(replica.logs('error')).toHaveLength(1);
      expect(replica.logs('info').filter((line) => line.includes('store answers again'))).toHaveLength(1);
      console.log(
        `[outage ${kind}] ${DELIVERIES} deliveries during the cut: 503 in ${during.map((a) => a.ms).join('/')} ms ` +
          `(commandTimeoutMs ${COMMAND_TIMEOUT_MS}), no handler call, ${replica.logs('error').length} error line; ` +
          `after: ${after.map((s) => s.join('>')).join(', ')}; each handled once`,
      );
    }, 60_000);
  });
}

async function deliverPast503(replica: Replica, d: Delivery): Promise<number[]> {
  const statuses: number[] = [];
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await post(replica.url, d);
    statuses.push(answer.status);
    if (answer.status !== 503 || Date.now() > deadline) return statuses;
    await sleep(200);
  }
}
