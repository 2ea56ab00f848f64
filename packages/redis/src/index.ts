/**
 * @kling-webhooks/redis — a Redis dedupe store for `@kling-webhooks/core`, so a callback delivered to several
 * replicas is processed once. Works with an ioredis or a node-redis client you create.
 * @packageDocumentation
 */

export type { IoRedisLike, NodeRedisLike, RedisClientLike } from './client.js';
export type { RedisStoreOptions } from './store.js';
export { redisStore } from './store.js';
