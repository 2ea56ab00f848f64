import type { Redis } from 'ioredis';

/**
 * Remembers a key and tells whether it is new: `true` the first time, `false` for a duplicate. Synchronous for a
 * `Map`, a promise for Redis.
 */
export type Dedupe = (key: string) => boolean | Promise<boolean>;

/** As many keys as the memory store keeps by default, so both sides evict alike in a long run. */
export const MAP_BOUND = 100_000;

/** A `Map` as a user bounds one: insertion order is age, and the oldest key goes when it is full. */
export function mapDedupe(bound = MAP_BOUND): (key: string) => boolean {
  const seen = new Map<string, true>();
  return (key) => {
    if (seen.has(key)) return false;
    seen.set(key, true);
    if (seen.size > bound) seen.delete(seen.keys().next().value as string);
    return true;
  };
}

/**
 * One `SET key 1 NX PX ttl` per request: `OK` when the key was new. With `enableAutoPipelining` on the client, the
 * commands of concurrent requests share one write, as for our Redis store.
 */
export function redisDedupe(client: Redis, prefix: string, ttlMs: number): Dedupe {
  return async (key) => (await client.set(`${prefix}${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
}
