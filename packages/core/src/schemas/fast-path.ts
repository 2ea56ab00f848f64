import { MAX_DATE_MS, MAX_ENTRIES, MAX_KEY_PART, SECONDS } from './fields.js';
import type { KlingFlatBody } from './flat.js';
import type { KlingLegacyBody } from './legacy.js';
import type { KlingNewBody, KlingNewOutput } from './new.js';
import { isRecord } from './record.js';

/**
 * Thrown inside this module (never out of it) at the first value not in the plain form checked here. A frozen
 * object, not an Error: no stack is captured on a path that fuzzed or hostile bodies take often.
 */
const UNSURE = Object.freeze({ unsure: true });

/**
 * The flat body (legacy or new dialect) that zod would parse from `body`, checked by hand — or `undefined` whenever
 * a value is not in the plain form handled here (an id sent as a number, a text field as a number, anything invalid),
 * and zod decides. zod stays the one judge of what is refused and of the 400's path; this only vouches for the
 * well-formed bodies Kling sends, in well under a microsecond where zod's parse costs several inside the receiver.
 *
 * It mirrors legacy.ts, new.ts and fields.ts field by field: a check added there must be added here too (or make this
 * decline). normalize-fast-path.test.ts feeds generated bodies to both and fails when they disagree.
 */
export function fastFlatBody(body: Record<string, unknown>): KlingFlatBody | undefined {
  // As klingFlatBodySchema picks: `task_id` → legacy, `id` → new, both or neither → zod's error.
  const legacy = body.task_id !== undefined;
  if (legacy === (body.id !== undefined)) return undefined;
  try {
    return legacy ? legacyBody(body) : newBody(body);
  } catch (error) {
    if (error === UNSURE) return undefined;
    throw error;
  }
}

function legacyBody(body: Record<string, unknown>): KlingLegacyBody {
  return {
    task_id: keyPart(body.task_id, 1),
    task_status: keyPart(body.task_status, 0),
    task_status_msg: nullish(body.task_status_msg, string),
    created_at: nullish(body.created_at, unixMs),
    updated_at: nullish(body.updated_at, unixMs),
    task_info: nullish(body.task_info, taskInfo),
    task_result: nullish(body.task_result, taskResult),
    final_unit_deduction: nullish(body.final_unit_deduction, string),
    final_balance_deduction: nullish(body.final_balance_deduction, balanceDeduction),
  };
}

function taskInfo(value: unknown): NonNullable<KlingLegacyBody['task_info']> {
  return { external_task_id: nullish(record(value).external_task_id, string) };
}

function taskResult(value: unknown): NonNullable<KlingLegacyBody['task_result']> {
  const result = record(value);
  return {
    videos: nullish(result.videos, (videos) => list(videos, legacyVideo)),
    images: nullish(result.images, (images) => list(images, legacyImage)),
  };
}

function legacyVideo(value: unknown) {
  const video = record(value);
  return {
    id: string(video.id),
    url: string(video.url),
    duration: nullish(video.duration, duration),
    watermark_url: nullish(video.watermark_url, string),
  };
}

function legacyImage(value: unknown) {
  const image = record(value);
  return {
    index: nullish(image.index, int),
    url: string(image.url),
    watermark_url: nullish(image.watermark_url, string),
  };
}

function balanceDeduction(value: unknown): NonNullable<KlingLegacyBody['final_balance_deduction']> {
  const deduction = record(value);
  return { quota: nullish(deduction.quota, string), list_price: nullish(deduction.list_price, string) };
}

function newBody(body: Record<string, unknown>): KlingNewBody {
  return {
    id: keyPart(body.id, 1),
    status: keyPart(body.status, 0),
    message: nullish(body.message, string),
    create_time: nullish(body.create_time, unixMs),
    update_time: nullish(body.update_time, unixMs),
    external_id: nullish(body.external_id, string),
    outputs: nullish(body.outputs, (outputs) => list(outputs, output)),
    billing: nullish(body.billing, (billing) => list(billing, billingItem)),
  };
}

/** One `outputs[]` entry, checked by the schema of its `type` as klingNewOutputSchema does. */
function output(value: unknown): KlingNewOutput {
  const entry = record(value);
  switch (entry.type) {
    case 'video':
      return {
        type: 'video',
        id: string(entry.id),
        url: string(entry.url),
        watermark_url: nullish(entry.watermark_url, string),
        duration: nullish(entry.duration, duration),
      };
    case 'image':
      return {
        type: 'image',
        url: string(entry.url),
        watermark_url: nullish(entry.watermark_url, string),
        group_id: nullish(entry.group_id, string),
        index: nullish(entry.index, int),
      };
    case 'audio':
      return {
        type: 'audio',
        id: nullish(entry.id, string),
        mp3_url: nullish(entry.mp3_url, string),
        wav_url: nullish(entry.wav_url, string),
        mp3_duration: nullish(entry.mp3_duration, duration),
        wav_duration: nullish(entry.wav_duration, duration),
      };
    default:
      return { type: string(entry.type) };
  }
}

function billingItem(value: unknown): NonNullable<KlingNewBody['billing']>[number] {
  const item = record(value);
  return {
    charge_type: nullish(item.charge_type, string),
    cash_type: nullish(item.cash_type, string),
    amount: nullish(item.amount, string),
    currency: nullish(item.currency, string),
    package_type: nullish(item.package_type, string),
    list_price: nullish(item.list_price, string),
  };
}

// Checks. Each returns the value as zod's output would hold it, or throws UNSURE.

function nullish<T>(value: unknown, check: (value: unknown) => T): T | null | undefined {
  return value === null || value === undefined ? value : check(value);
}

function string(value: unknown): string {
  if (typeof value !== 'string') throw UNSURE;
  return value;
}

/** A task id (at least one character) or a status: a string of at most MAX_KEY_PART characters. */
function keyPart(value: unknown, minLength: number): string {
  if (typeof value !== 'string' || value.length < minLength || value.length > MAX_KEY_PART) throw UNSURE;
  return value;
}

function int(value: unknown): number {
  if (!Number.isSafeInteger(value)) throw UNSURE;
  return value as number;
}

function unixMs(value: unknown): Date {
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > MAX_DATE_MS) throw UNSURE;
  return new Date(value as number);
}

function duration(value: unknown): number {
  const seconds =
    typeof value === 'number' ? value : typeof value === 'string' && SECONDS.test(value) ? Number(value) : Number.NaN;
  if (!(Number.isFinite(seconds) && seconds >= 0)) throw UNSURE;
  return seconds;
}

function record(value: unknown): Record<string, unknown> {
  if (!isRecord(value)) throw UNSURE;
  return value;
}

/** Every index is checked, holes included (a hole reads as `undefined`, which no entry schema accepts). */
function list<T>(value: unknown, check: (value: unknown) => T): T[] {
  if (!Array.isArray(value) || value.length > MAX_ENTRIES) throw UNSURE;
  const checked = new Array<T>(value.length);
  for (let i = 0; i < value.length; i++) checked[i] = check(value[i]);
  return checked;
}
