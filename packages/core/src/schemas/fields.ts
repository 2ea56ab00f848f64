import { z } from 'zod';

/** The latest instant a `Date` can hold (ms); later times would make an Invalid Date. */
export const MAX_DATE_MS = 8.64e15;
/** Seconds as Kling writes them: `"5"`, `"5.1"` (no sign, no exponent, no blanks). */
export const SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * Longest text accepted in a field the event carries (URLs, messages). Kling's signed CDN URLs are a few hundred
 * characters; the bound keeps what handlers, logs and stores are given small, whatever the sender chose.
 */
export const MAX_TEXT = 16 * 1024;

/** A string the event carries: at most {@link MAX_TEXT} characters. */
export const klingStringSchema = z.string().max(MAX_TEXT, { error: `expected at most ${MAX_TEXT} characters` });

/**
 * A Kling id. Kling sends strings (18-digit ids are not safe JS numbers); a safe integer is accepted and stringified.
 * A larger number already lost precision in `JSON.parse`, so it is rejected rather than turned into a wrong id.
 */
export const klingIdSchema = z
  .union([z.string(), z.number()], { error: 'expected a string id' })
  .transform((value, ctx) => {
    if (typeof value === 'string') return value;
    if (Number.isSafeInteger(value)) return String(value);
    ctx.addIssue({
      code: 'custom',
      message: Number.isInteger(value)
        ? 'expected a string id (a number above 2^53 has lost precision)'
        : 'expected a string id',
    });
    return z.NEVER;
  });

/**
 * Longest task id or status accepted. Kling's are 18 digits and a word; dedupe keys are made of them and kept for days
 * (in Redis too), so their size must not be the sender's to choose.
 */
export const MAX_KEY_PART = 256;

/** An id the event carries (not the task id): a {@link klingIdSchema} of at most {@link MAX_TEXT} characters. */
export const klingOtherIdSchema = klingIdSchema.refine(
  (id) => id.length <= MAX_TEXT,
  `expected an id of at most ${MAX_TEXT} characters`,
);

/** A task id: a {@link klingIdSchema}, not empty and at most 256 characters (it is half of the dedupe key). */
export const klingTaskIdSchema = klingIdSchema
  .refine((id) => id.length > 0, 'expected a non-empty id')
  .refine((id) => id.length <= MAX_KEY_PART, `expected an id of at most ${MAX_KEY_PART} characters`);

/** A task's status as sent (`succeed`, `video.completed`, ...), at most 256 characters (the other half of the key). */
export const klingStatusTextSchema = z
  .string()
  .max(MAX_KEY_PART, { error: `expected a status of at most ${MAX_KEY_PART} characters` });

/**
 * Most entries accepted in one of a body's lists (`videos`, `images`, `outputs`, `billing`). Kling sends a handful
 * (at most 9 images per task); the bound keeps a hostile body's work small.
 */
export const MAX_ENTRIES = 100;
/** Most tasks accepted in one query answer (`GET /tasks?task_ids=` asks for 50 by default). */
export const MAX_TASKS = 1000;

/** A duration in seconds: a string such as `"5.1"` (as Kling sends it) or a number; becomes a number. */
export const klingDurationSchema = z
  .union([z.string(), z.number()], { error: 'expected a duration in seconds' })
  .transform((value, ctx) => {
    const seconds = typeof value === 'number' ? value : SECONDS.test(value) ? Number(value) : Number.NaN;
    if (Number.isFinite(seconds) && seconds >= 0) return seconds;
    ctx.addIssue({ code: 'custom', message: 'expected a duration in seconds such as "5.1"' });
    return z.NEVER;
  });

/** A Unix time in milliseconds (an integer), as Kling sends `created_at` / `create_time`; becomes a `Date`. */
export const klingUnixMsSchema = z
  .int({ error: 'expected Unix time in milliseconds' })
  .min(0, { error: 'expected Unix time in milliseconds' })
  .max(MAX_DATE_MS, { error: 'expected Unix time in milliseconds' })
  .transform((ms) => new Date(ms));

/** An ISO 8601 date-time with `Z` or an offset (the relay envelope's times); becomes a `Date`. */
export const klingIsoDateSchema = z.iso
  .datetime({ offset: true, error: 'expected an ISO 8601 date-time' })
  .transform((iso, ctx) => {
    const date = new Date(iso);
    if (!Number.isNaN(date.getTime())) return date;
    ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 date-time' });
    return z.NEVER;
  });

/** A text field Kling documents as a string (billing values); a number is accepted and stringified. */
export const klingTextSchema = z
  .union([klingStringSchema, z.number()], { error: 'expected a string' })
  .transform((value) => String(value));
