import { hash } from 'node:crypto';
import { bullmqQueue, type KlingBullmqQueue } from '@kling-webhooks/bullmq';
import {
  callbackToken,
  type KlingDedupeStore,
  type KlingEventQueue,
  type KlingReceiverOptions,
  type KlingTaskPairings,
  type KlingVerifiableRequest,
  klingSignature,
  memoryStore,
} from '@kling-webhooks/core';
import { redisStore } from '@kling-webhooks/redis';
import { Redis } from 'ioredis';
import { type BenchSecrets, taskIdOfExternal } from '../deliveries.js';
import type { OurRoute, RouteName } from '../routes.js';

/** Handler calls per route: the bench checks that every 2xx of a fresh-event route came from a dispatch. */
export const dispatched: Partial<Record<RouteName, number>> = {};

export function countDispatch(route: RouteName): void {
  dispatched[route] = (dispatched[route] ?? 0) + 1;
}

/** How long the slow route's handler runs: far past any ack budget. */
export const SLOW_HANDLER_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** The `succeed` handler of `route`: counts, and on the slow route sleeps past the ack budget. */
export function handlerOf(route: RouteName): () => undefined | Promise<void> {
  if (route === 'slow') {
    return () => {
      countDispatch(route);
      return sleep(SLOW_HANDLER_MS);
    };
  }
  return () => {
    countDispatch(route);
    return undefined;
  };
}

/** A store that keeps nothing: every claim is new (the breakdown's pipeline-only route). */
const forgetfulStore: KlingDedupeStore = {
  claim: () => Promise.resolve({ state: 'claimed', token: 'bench' }),
  complete: () => Promise.resolve(true),
  release: () => Promise.resolve(true),
  isTaskDone: () => Promise.resolve(false),
};

/**
 * The memory store as a `KlingClient` sharing it would have filled it: every delivery's external id paired with its
 * task (the bench's deliveries are tasks nobody created, so the pairing is derived instead of recorded; a read costs
 * about what a map lookup does).
 */
function pairedMemoryStore(): KlingDedupeStore & KlingTaskPairings {
  const store = memoryStore();
  return {
    claim: store.claim,
    complete: store.complete,
    release: store.release,
    isTaskDone: store.isTaskDone,
    pairTask: store.pairTask,
    pairedTaskId: (ext) => Promise.resolve(taskIdOfExternal(ext)),
  };
}

/** A verifier that hashes the body once and accepts: what one node:crypto call costs inside a request. */
function sha256(request: KlingVerifiableRequest): boolean {
  return hash('sha256', request.rawBody, 'buffer').length === 32;
}

let redis: Redis | undefined;
/** Every Redis key of this process starts with it, so {@link closeRedis} can delete them all. */
export const redisPrefix = `kling-bench:${process.pid}:${Date.now()}:`;

/** Short TTLs: a bench run must not leave a million keys in Redis for a week. */
export const REDIS_TTL_MS = 600_000;

/** The process's one Redis client: as the redis package's README recommends, with auto-pipelining, so the commands of
 * concurrent deliveries share one write. */
export function redisClient(): Redis {
  redis ??= new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true });
  return redis;
}

const queues: KlingBullmqQueue[] = [];
/** Jobs dropped at the last stats request (the queued route runs without a worker). */
let draining: Promise<unknown> = Promise.resolve();

/**
 * A BullMQ queue for the queued route, as the bullmq README shows it; each stored job counts as the route's dispatch
 * (its handlers would run in a worker), so the bench's "one dispatch per 2xx" check holds for it too.
 */
function countedQueue(route: RouteName): KlingEventQueue {
  const queue = bullmqQueue({
    connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    name: 'events',
    prefix: `kling-bench-${process.pid}-${Date.now()}`,
  });
  queues.push(queue);
  return {
    async enqueue(job) {
      await queue.enqueue(job);
      countDispatch(route);
    },
  };
}

/**
 * Drops the jobs the queued route stored since the last call, in the background: called at each stats request, so
 * the work falls between two measured runs (the next stats request waits for it first).
 */
export async function settleQueues(): Promise<void> {
  await draining;
  draining = Promise.all(queues.map((queue) => queue.queue.drain(true))).catch(() => {});
}

/**
 * Receiver options of one of our routes, as an app would write them: Kling's signature or a callback token, the
 * memory store with its defaults (bounded to 100k entries, so a long run also measures eviction) or the Redis store.
 */
export function receiverOptions(route: OurRoute, secrets: BenchSecrets): KlingReceiverOptions {
  const signature = klingSignature({ secrets: [secrets.webhook] });
  switch (route) {
    case 'signature':
      return { verify: signature, store: memoryStore() };
    case 'token':
      return { verify: callbackToken({ secret: secrets.token }), store: pairedMemoryStore() };
    case 'redis':
      return {
        verify: signature,
        store: redisStore({ client: redisClient(), prefix: redisPrefix }),
        dedupeTtlMs: REDIS_TTL_MS,
      };
    case 'queued':
      return {
        verify: signature,
        store: redisStore({ client: redisClient(), prefix: redisPrefix }),
        dedupeTtlMs: REDIS_TTL_MS,
        queue: countedQueue(route),
      };
    case 'slow':
      return { verify: signature, store: memoryStore(), ackTimeoutMs: Number(process.env.BENCH_ACK_TIMEOUT_MS) };
    case 'pipeline':
      return { verify: 'none', store: forgetfulStore };
    case 'memory':
      return { verify: 'none', store: memoryStore() };
    case 'sha256':
      return { verify: sha256, store: memoryStore() };
  }
}

/** Deletes this process's Redis keys and closes the client. */
export async function closeRedis(): Promise<void> {
  await draining;
  for (const queue of queues) {
    await queue.queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
  if (redis === undefined) return;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
}
