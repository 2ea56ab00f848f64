import type { KlingTaskEvent } from '@kling-webhooks/core';
import { expect } from 'vitest';

const STATUSES = ['submitted', 'processing', 'succeed', 'failed', 'unknown'];
const optional = (value: unknown, type: string) => value === undefined || typeof value === type;
const optionalDate = (value: unknown) =>
  value === undefined || (value instanceof Date && !Number.isNaN(value.getTime()));
const entries = (value: unknown, check: (entry: Record<string, unknown>) => boolean) =>
  Array.isArray(value) && value.every((entry) => typeof entry === 'object' && entry !== null && check(entry));

/**
 * Fails unless `event` holds what the event types promise at run time (types alone cannot show that the schemas'
 * transforms gave strings where strings are due, valid dates, arrays...).
 */
export function expectValidEvent(event: KlingTaskEvent): void {
  const e = event as unknown as Record<string, unknown>;
  const problems = [
    STATUSES.includes(e.status as string) || 'status',
    typeof e.taskId === 'string' || 'taskId',
    typeof e.rawStatus === 'string' || 'rawStatus',
    typeof e.message === 'string' || 'message',
    optional(e.externalTaskId, 'string') || 'externalTaskId',
    optional(e.deliveryId, 'string') || 'deliveryId',
    (optionalDate(e.createdAt) && optionalDate(e.updatedAt)) || 'dates',
    entries(e.videos, (v) => typeof v.id === 'string' && typeof v.url === 'string' && optional(v.duration, 'number')) ||
      'videos',
    entries(e.images, (i) => typeof i.url === 'string' && (i.index === undefined || Number.isInteger(i.index))) ||
      'images',
    entries(e.audios, (a) => optional(a.mp3Duration, 'number') && optional(a.wavDuration, 'number')) || 'audios',
    entries(e.outputs, (o) => typeof o.type === 'string') || 'outputs',
    e.billing === undefined ||
      entries((e.billing as Record<string, unknown>).items, (item) =>
        Object.values(item).every((value) => optional(value, 'string')),
      ) ||
      'billing',
    ['legacy', 'new', 'relay'].includes(e.dialect as string) || 'dialect',
    ['callback', 'poll'].includes(e.source as string) || 'source',
    (typeof e.raw === 'object' && e.raw !== null && !Array.isArray(e.raw)) || 'raw',
  ].filter((problem) => problem !== true);
  expect(problems).toEqual([]);
}
