import { randomUUID } from 'node:crypto';
import {
  type KlingClaimResult,
  KlingConfigError,
  type KlingEventRef,
  type KlingLogger,
  type KlingPendingStats,
  type KlingPendingTask,
  type KlingStore,
  silentLogger,
} from '@kling-webhooks/core';
import { storeKeys } from '@kling-webhooks/core/adapter';
import { AbandonedClaims } from './abandoned-claims.js';
import { commandSender, type RedisClientLike } from './client.js';
import { OutageLog } from './outage.js';
import { scriptRunner } from './run-script.js';
import {
  CLAIM,
  COMPLETE,
  DELETE_PENDING,
  IS_DONE,
  PAIR,
  PAIRED,
  PENDING_COUNT,
  PUT_PENDING,
  RELEASE,
  TAKE_DUE_PENDING,
} from './scripts.js';

/** Options of `redisStore`. */
export interface RedisStoreOptions {
  /** A connected ioredis or node-redis client you created. The store sends raw commands through it and never closes it. */
  client: RedisClientLike;
  /** Prefix of every key the store writes. Default `'kling:'`. */
  prefix?: string;
  /**
   * Longest wait for one store operation; past it the operation fails with `KlingStoreError` and the receiver
   * answers 503 (the sender retries). Default 1000.
   */
  commandTimeoutMs?: number;
  /**
   * Where the start and the end of an outage are logged (one line each, however many operations fail). Default:
   * nothing, since the receiver already logs a store outage once through its own logger; set it when the store
   * also serves something else (the reconciler) or to get Redis's reason for the outage.
   */
  logger?: KlingLogger;
  /** Key of the pending-task sorted set (its task hash is `<pendingKey>:tasks`). Default `<prefix>pending`. */
  pendingKey?: string;
  /** Most pending tasks kept; past it the tasks due longest ago are dropped. Default 10 000. */
  maxPending?: number;
  /** The pending keys expire this long after the last write (nothing outlives an abandoned deployment). Default 30 days. */
  pendingTtlMs?: number;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new KlingConfigError(`redisStore: ${name} must be a positive integer`);
  }
  return value;
}

const ignore = (): void => {};

/** Redis wants whole milliseconds of at least 1. */
const ms = (value: number): string => String(Math.max(1, Math.ceil(value)));

/**
 * A `KlingStore` on Redis, shared by every replica: a callback delivered to several replicas is processed once.
 * One round trip per operation (Lua scripts: the claim checks done / superseded / in flight and takes the lease
 * atomically; complete and release act only for the lease's owner). Every key has a TTL.
 *
 * When Redis is down or slow, each operation fails within `commandTimeoutMs` with `KlingStoreError` (the receiver
 * answers 503), the outage is logged once, and the store recovers by itself when Redis answers again. A claim that
 * timed out but still ran later (clients queue commands while reconnecting) is released at once, so it cannot hold
 * the event for a whole lease.
 *
 * @example
 * // Auto-pipelining: the round trips of concurrent deliveries share writes (see the README).
 * const store = redisStore({ client: new Redis(process.env.REDIS_URL!, { enableAutoPipelining: true }) });
 */
export function redisStore(options: RedisStoreOptions): KlingStore {
  const send = commandSender(options.client);
  const prefix = options.prefix ?? 'kling:';
  const timeoutMs = positiveInteger(options.commandTimeoutMs ?? 1000, 'commandTimeoutMs');
  const maxPending = positiveInteger(options.maxPending ?? 10_000, 'maxPending');
  const pendingTtlMs = positiveInteger(options.pendingTtlMs ?? 30 * 24 * 3600 * 1000, 'pendingTtlMs');
  const pendingSet = options.pendingKey ?? `${prefix}pending`;
  const pendingHash = `${pendingSet}:tasks`;
  const run = scriptRunner(send, timeoutMs, new OutageLog(options.logger ?? silentLogger));
  const eventKey = (event: KlingEventRef): string => `${prefix}d:${storeKeys.event(event.taskId, event.status)}`;
  const terminalKey = (taskId: string): string => `${prefix}d:${storeKeys.terminal(taskId)}`;
  const abandoned = new AbandonedClaims();

  async function release(event: KlingEventRef, token: string): Promise<boolean> {
    const keys = event.terminal ? [eventKey(event), terminalKey(event.taskId)] : [eventKey(event)];
    return Number(await run(RELEASE, keys, [token])) === 1;
  }

  return {
    async claim(event, { leaseMs, ttlMs }): Promise<KlingClaimResult> {
      const token = randomUUID();
      const key = eventKey(event);
      const keys = [key, terminalKey(event.taskId)];
      const lapsed = abandoned.tokens(key, Date.now());
      const args = [token, ms(leaseMs), ms(Math.max(leaseMs, ttlMs)), event.terminal ? '1' : '0'];
      if (lapsed.length > 0) args.push(...lapsed);
      const reply = Number(
        await run(CLAIM, keys, args, (late) => {
          // The caller got a 503 and the sender will redeliver, but this claim may still take the lease: a lease
          // nobody works under would answer that redelivery 409. Release it when it lands; until then, a claim
          // from this process may take it over.
          abandoned.add(key, token, Date.now() + leaseMs);
          late.then(
            (result) => {
              if (Number(result) !== 0) abandoned.settle(key, token);
              else release(event, token).then(() => abandoned.settle(key, token), ignore);
            },
            // It may have run before its reply was lost: keep the token until the lease it could hold lapses.
            ignore,
          );
        }),
      );
      if (reply === 0) return { state: 'claimed', token };
      if (reply === -1) return { state: 'done' };
      if (reply === -2) return { state: 'superseded' };
      return { state: 'in-flight', retryAfterMs: reply };
    },

    async complete(event, token, { ttlMs }): Promise<boolean> {
      const keys = event.terminal ? [eventKey(event), terminalKey(event.taskId)] : [eventKey(event)];
      return Number(await run(COMPLETE, keys, [token, ms(ttlMs)])) === 1;
    },

    release,

    async isTaskDone(taskId: string): Promise<boolean> {
      return Number(await run(IS_DONE, [terminalKey(taskId)], [])) === 1;
    },

    async pairTask(externalTaskId: string, taskId: string, ttlMs: number): Promise<void> {
      await run(PAIR, [`${prefix}${storeKeys.pairing(externalTaskId)}`], [taskId, ms(ttlMs)]);
    },

    async pairedTaskId(externalTaskId: string): Promise<string | undefined> {
      const reply = await run(PAIRED, [`${prefix}${storeKeys.pairing(externalTaskId)}`], []);
      return typeof reply === 'string' || reply instanceof Uint8Array ? String(reply) : undefined;
    },

    async putPending(task: KlingPendingTask): Promise<void> {
      await run(
        PUT_PENDING,
        [pendingSet, pendingHash],
        [task.taskId, String(task.dueAt), JSON.stringify(task), String(maxPending), String(pendingTtlMs)],
      );
    },

    // The count only: the oldest task's age would take reading every pending record, once per reconciler tick.
    async pendingStats(): Promise<KlingPendingStats> {
      return { count: Number(await run(PENDING_COUNT, [pendingSet], [])) };
    },

    async deletePending(taskId: string): Promise<void> {
      await run(DELETE_PENDING, [pendingSet, pendingHash], [taskId]);
    },

    async takeDuePending(now: number, limit: number, leaseMs: number): Promise<KlingPendingTask[]> {
      if (limit < 1) return [];
      const dueAt = now + leaseMs;
      const reply = await run(
        TAKE_DUE_PENDING,
        [pendingSet, pendingHash],
        [String(now), String(Math.floor(limit)), String(dueAt), String(pendingTtlMs)],
      );
      if (!Array.isArray(reply)) return [];
      return reply.map((json) => ({ ...(JSON.parse(String(json)) as KlingPendingTask), dueAt }));
    },
  };
}
