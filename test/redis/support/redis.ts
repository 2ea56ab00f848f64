import { createConnection } from 'node:net';
import type { RedisClientLike } from '@kling-webhooks/redis';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { describe, it } from 'vitest';

/** The Redis the tests use. Each test writes under its own random prefix, so files can share it concurrently. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Host and port of `url` (a redis:// URL). */
export function hostPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 6379) };
}

/** Whether anything answers a PING at REDIS_URL within a second (an auth error still counts as an answer). */
export function redisReachable(url = REDIS_URL): Promise<boolean> {
  const { host, port } = hostPort(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', () => done(true));
  });
}

const reachable = await redisReachable();

/**
 * `describe` for tests that need Redis. Without Redis: under CI=true the file fails (a missing Redis must not pass
 * as green); elsewhere it is skipped with a message saying why.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (reachable) {
    describe(name, body);
  } else if (process.env.CI === 'true' || process.env.CI === '1') {
    describe(name, () => {
      it(`needs Redis at ${REDIS_URL}`, () => {
        throw new Error(
          `Redis is not reachable at ${REDIS_URL} (CI=true: Redis tests must run; start Redis, set REDIS_URL, or run ` +
            '`pnpm test`, which starts redis-server itself)',
        );
      });
    });
  } else {
    console.warn(
      `[redis tests] skipped "${name}": no Redis at ${REDIS_URL} (set REDIS_URL, or run \`pnpm test\`, which starts ` +
        'redis-server itself; under CI=true this fails)',
    );
    describe.skip(name, body);
  }
}

/** The two clients the store supports, each made the way a user would. */
export type ClientKind = 'ioredis' | 'node-redis';
export const CLIENT_KINDS: ClientKind[] = ['ioredis', 'node-redis'];

/**
 * The clients of the in-process suites: also ioredis with `enableAutoPipelining`, which the redis package's README
 * recommends (commands of concurrent deliveries share one write).
 */
export type InProcessClientKind = ClientKind | 'ioredis, auto-pipelined';
export const IN_PROCESS_CLIENT_KINDS: InProcessClientKind[] = [...CLIENT_KINDS, 'ioredis, auto-pipelined'];

/** A client of either kind, connected, plus how to close it. */
export interface TestClient {
  /** Typed as the store takes it: both real clients must fit `RedisClientLike`. */
  client: RedisClientLike;
  close(): Promise<void>;
}

export async function connectClient(kind: InProcessClientKind, url = REDIS_URL): Promise<TestClient> {
  if (kind !== 'node-redis') {
    const client = new Redis(url, { lazyConnect: true, enableAutoPipelining: kind === 'ioredis, auto-pipelined' });
    client.on('error', () => {});
    await client.connect();
    return { client, close: async () => client.disconnect() };
  }
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  return {
    client,
    close: async () => {
      if (client.isOpen) client.destroy();
    },
  };
}

/** An ioredis client for the tests' own reads and clean-up. */
export async function adminClient(url = REDIS_URL): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  return client;
}

/** Deletes every key under `prefix` (keys expire anyway; this keeps a shared Redis tidy). */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
