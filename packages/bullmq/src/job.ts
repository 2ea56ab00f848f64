import { createHash } from 'node:crypto';
import type { KlingQueuedEvent, KlingTaskEvent } from '@kling-webhooks/core';

/** What a job holds: the event (its Dates as ISO strings, as JSON keeps them) and its dedupe key. */
export interface KlingJobData {
  /** The event's dedupe key (`klingIdempotencyKey`). */
  key: string;
  event: KlingTaskEvent;
}

/** The queue name used when none is given. */
export const DEFAULT_QUEUE_NAME = 'kling-events';

/**
 * The job id of an event: derived from its dedupe key, so BullMQ stores one job per task state however many replicas
 * add it. Hashed because BullMQ refuses ids with `:` (dedupe keys have them) and to keep ids short.
 */
export function klingJobId(key: string): string {
  return `kling-${createHash('sha256').update(key).digest('base64url')}`;
}

/** The job data for `job`. */
export function jobData(job: KlingQueuedEvent): KlingJobData {
  return { key: job.key, event: job.event };
}

function date(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** The event of a job as handlers expect it: JSON turned `createdAt` / `updatedAt` into strings. */
export function eventOf(data: KlingJobData): KlingTaskEvent {
  const event = { ...data.event };
  const createdAt = date(event.createdAt);
  const updatedAt = date(event.updatedAt);
  if (createdAt === undefined) delete event.createdAt;
  else event.createdAt = createdAt;
  if (updatedAt === undefined) delete event.updatedAt;
  else event.updatedAt = updatedAt;
  return event;
}
