import type { KlingEventStatus, KlingStatus } from '../event.js';

// Maps, not object literals: a status such as `__proto__` or `toString` must not find anything.
const FLAT_STATUS = new Map<string, KlingStatus>([
  ['submitted', 'submitted'],
  ['processing', 'processing'],
  ['succeed', 'succeed'],
  ['succeeded', 'succeed'],
  ['failed', 'failed'],
]);

/** The relay `event` names of the seeds and the status each means. */
export const RELAY_EVENTS = [
  ['video.created', 'submitted'],
  ['video.processing', 'processing'],
  ['video.completed', 'succeed'],
  ['video.failed', 'failed'],
  ['video.cancelled', 'failed'],
] as const satisfies readonly (readonly [string, KlingStatus])[];
const RELAY_STATUS = new Map<string, KlingStatus>(RELAY_EVENTS);

/** The status of a flat body's `task_status` / `status` (legacy `succeed` and new `succeeded` alike). */
export function flatStatus(raw: string): KlingEventStatus {
  return FLAT_STATUS.get(raw) ?? 'unknown';
}

/** The status of a relay `event`. */
export function relayStatus(event: string): KlingEventStatus {
  return RELAY_STATUS.get(event) ?? 'unknown';
}
