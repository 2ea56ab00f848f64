import { isTerminalStatus, type KlingTaskEvent } from '../event.js';
import { storeKeys } from './keys.js';
import type { KlingEventRef } from './types.js';

/** The status an event is deduplicated under: the library's name, or the raw status for one it does not know. */
function dedupeStatus(event: KlingTaskEvent): string {
  return event.status === 'unknown' ? event.rawStatus : event.status;
}

/** What the dedupe store is told about `event`. */
export function eventRef(event: KlingTaskEvent): KlingEventRef {
  return { taskId: event.taskId, status: dedupeStatus(event), terminal: isTerminalStatus(event.status) };
}

/**
 * A key that names one task state and nothing else (the store's dedupe key for it): the same for every delivery and
 * poll of that state, different for any other. Handlers that write elsewhere can use it as an idempotency key, since a
 * handler runs at least once per state (see the core README, "Guarantees").
 */
export function klingIdempotencyKey(event: KlingTaskEvent): string {
  return storeKeys.event(event.taskId, dedupeStatus(event));
}
