import { KlingConfigError } from '../errors.js';
import { consoleLogger, type KlingLogger } from '../logger.js';
import { memoryStore } from '../store/memory.js';
import type { KlingDedupeStore, KlingTaskPairings } from '../store/types.js';
import type { KlingReceiver, KlingReceiverOptions } from './types.js';

/** The options a receiver runs with, defaults filled in. */
export type ResolvedReceiverOptions = KlingReceiver['options'];

const MIB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Node clamps longer timers to 1 ms, which would turn every answer into an instant 202. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function positive(value: unknown, name: string, fallback: number, integer: boolean, max = Number.MAX_SAFE_INTEGER) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new KlingConfigError(`createKlingReceiver: ${name} must be a positive number no larger than ${max}`);
  }
  if (integer && !Number.isInteger(value)) {
    throw new KlingConfigError(`createKlingReceiver: ${name} must be a whole number`);
  }
  return value;
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

/**
 * Checks `createKlingReceiver`'s options and fills in the defaults; throws `KlingConfigError` naming the bad option.
 * (`verify` itself is checked by `createVerification`.)
 */
export function resolveReceiverOptions(options: KlingReceiverOptions): ResolvedReceiverOptions {
  if (typeof options !== 'object' || options === null) {
    throw new KlingConfigError("createKlingReceiver: options are required (at least `verify`, or `verify: 'none'`)");
  }
  const ackTimeoutMs = positive(options.ackTimeoutMs, 'ackTimeoutMs', 4000, false, MAX_TIMER_MS);
  const maxBodyBytes = positive(options.maxBodyBytes, 'maxBodyBytes', MIB, true);
  const bodyTimeoutMs = positive(options.bodyTimeoutMs, 'bodyTimeoutMs', 10_000, false, MAX_TIMER_MS);
  const dedupeTtlMs = positive(options.dedupeTtlMs, 'dedupeTtlMs', 7 * DAY_MS, false);
  const leaseMs = positive(options.leaseMs, 'leaseMs', 5 * 60 * 1000, false);
  if (leaseMs <= ackTimeoutMs) {
    // A lease shorter than the ack budget could lapse while the first delivery still runs: a retry would run it twice.
    throw new KlingConfigError(
      `createKlingReceiver: leaseMs (${leaseMs}) must be longer than ackTimeoutMs (${ackTimeoutMs})`,
    );
  }
  if (options.store !== undefined && !hasMethods(options.store, ['claim', 'complete', 'release'])) {
    throw new KlingConfigError('createKlingReceiver: store must implement claim, complete and release');
  }
  if (options.logger !== undefined && !hasMethods(options.logger, ['debug', 'info', 'warn', 'error'])) {
    throw new KlingConfigError('createKlingReceiver: logger must have debug, info, warn and error methods');
  }
  const store: KlingDedupeStore & Partial<KlingTaskPairings> = options.store ?? memoryStore();
  if (options.lookupTask !== undefined && typeof options.lookupTask !== 'function') {
    throw new KlingConfigError('createKlingReceiver: lookupTask must be a function');
  }
  if (options.queue !== undefined && !hasMethods(options.queue, ['enqueue'])) {
    throw new KlingConfigError('createKlingReceiver: queue must implement enqueue');
  }
  const logger: KlingLogger = options.logger ?? consoleLogger();
  return Object.freeze({
    verify: options.verify,
    store,
    ackTimeoutMs,
    maxBodyBytes,
    bodyTimeoutMs,
    dedupeTtlMs,
    leaseMs,
    logger,
    ...(options.lookupTask === undefined ? {} : { lookupTask: options.lookupTask }),
    ...(options.queue === undefined ? {} : { queue: options.queue }),
  });
}
