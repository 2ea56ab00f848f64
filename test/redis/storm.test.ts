import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminClient, deleteByPrefix, describeWithRedis, REDIS_URL } from './support/redis.js';
import { assertBuilt, type Delivery, delivery, post, type Replica, startReplica } from './support/replicas.js';

const EVENTS = 1_000;
const COPIES = 10;
const IN_FLIGHT = 100;
/** Handlers take a millisecond; a short lease keeps the 409's Retry-After (the rest of the lease) short too. */
const LEASE_MS = 2_000;

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

describeWithRedis('duplicate storm: 3 replica processes on one Redis', () => {
  const runId = randomUUID();
  const prefix = `kling-test:${runId}:`;
  const countKey = `${prefix}handled`;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let admin: Redis;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    assertBuilt();
    admin = await adminClient();
    const kinds = ['ioredis', 'node-redis', 'ioredis'] as const;
    replicas.push(
      ...(await Promise.all(
        kinds.map((client) =>
          startReplica({
            client,
            storeUrl: REDIS_URL,
            countUrl: REDIS_URL,
            prefix,
            countKey,
            secret,
            leaseMs: LEASE_MS,
            ackTimeoutMs: LEASE_MS / 2,
            commandTimeoutMs: 1_000,
          }),
        ),
      )),
    );
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    if (admin) await deleteByPrefix(admin, prefix);
    admin?.disconnect();
  });

  it(`handles ${EVENTS} events exactly once out of ${EVENTS * COPIES} shuffled deliveries`, async () => {
    const events = Array.from({ length: EVENTS }, (_, i) => delivery(`storm-${runId}-${i}`, secret));
    const queue = shuffle(events.flatMap((d) => Array.from({ length: COPIES }, () => d)));
    const figures = { processed: 0, duplicate: 0, inFlight409: 0, other: 0, requests: 0 };
    let turn = 0;

    // As Kling would: a 409 or 503 is delivered again after Retry-After; every copy ends with a 2xx.
    const deliverUntilAcknowledged = async (d: Delivery) => {
      for (;;) {
        const replica = replicas[turn++ % replicas.length] as Replica;
        const answer = await post(replica.url, d);
        figures.requests++;
        if (answer.status === 200) {
          if (answer.body.duplicate) figures.duplicate++;
          else figures.processed++;
          return;
        }
        if (answer.status === 409) figures.inFlight409++;
        else figures.other++;
        await sleep(Math.max(1, answer.retryAfterSec) * 1000);
      }
    };

    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < queue.length) await deliverUntilAcknowledged(queue[next++] as Delivery);
      }),
    );
    const elapsedMs = Date.now() - started;

    const counts = await admin.hgetall(countKey);
    const perEvent = Object.values(counts).map(Number);
    const perReplica = replicas.map((r) => r.messages.filter((m) => m.type === 'handled').length);
    console.log(
      `[duplicate storm] ${queue.length} deliveries (${EVENTS} events x ${COPIES}, ${IN_FLIGHT} in flight) to 3 ` +
        `processes in ${elapsedMs} ms: ${figures.requests} requests, ${figures.processed} processed, ` +
        `${figures.duplicate} duplicates, ${figures.inFlight409} x 409 retried, ${figures.other} other retried; ` +
        `handler calls counted in Redis: ${perEvent.reduce((a, b) => a + b, 0)} over ${perEvent.length} events ` +
        `(per process: ${perReplica.join(' / ')})`,
    );

    expect(Object.keys(counts).sort()).toEqual(events.map((d) => d.taskId).sort());
    expect(perEvent.every((n) => n === 1)).toBe(true);
    expect(figures.processed).toBe(EVENTS);
    expect(figures.duplicate).toBe(EVENTS * (COPIES - 1));
    expect(perReplica.reduce((a, b) => a + b, 0)).toBe(EVENTS);
    expect(perReplica.every((n) => n > 0)).toBe(true);
  }, 90_000);
});
