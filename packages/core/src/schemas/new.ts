import { z } from 'zod';
import { boundedArray } from './bounded-array.js';
import { dispatchSchema } from './dispatch.js';
import {
  klingDurationSchema,
  klingIdSchema,
  klingStatusTextSchema,
  klingTaskIdSchema,
  klingTextSchema,
  klingUnixMsSchema,
  MAX_ENTRIES,
} from './fields.js';
import { klingLegacyVideoSchema } from './legacy.js';
import { isRecord } from './record.js';

/** A `video` entry of a new-dialect body's `outputs[]`: the legacy video's fields, tagged with its type. */
export const klingNewVideoOutputSchema = klingLegacyVideoSchema.extend({ type: z.literal('video') });

/** An `image` entry of a new-dialect body's `outputs[]`. */
export const klingNewImageOutputSchema = z.looseObject({
  type: z.literal('image'),
  url: z.string(),
  watermark_url: z.string().nullish(),
  group_id: klingIdSchema.nullish(),
  index: z.int().nullish(),
});

/** An `audio` entry of a new-dialect body's `outputs[]`; durations are seconds (strings or numbers). */
export const klingNewAudioOutputSchema = z.looseObject({
  type: z.literal('audio'),
  id: klingIdSchema.nullish(),
  mp3_url: z.string().nullish(),
  wav_url: z.string().nullish(),
  mp3_duration: klingDurationSchema.nullish(),
  wav_duration: klingDurationSchema.nullish(),
});

/** Any other `outputs[]` entry (`voice`, `element`, types added later): only its `type` is checked. */
export const klingNewOtherOutputSchema = z.looseObject({ type: z.string() });

/** One entry of a new-dialect body's `outputs[]`, checked by the schema of its `type`. */
export const klingNewOutputSchema = dispatchSchema(
  {
    video: klingNewVideoOutputSchema,
    image: klingNewImageOutputSchema,
    audio: klingNewAudioOutputSchema,
    other: klingNewOtherOutputSchema,
  },
  (value) => {
    switch (isRecord(value) ? value.type : undefined) {
      case 'video':
        return 'video';
      case 'image':
        return 'image';
      case 'audio':
        return 'audio';
      default:
        return 'other';
    }
  },
);

/** One line of a new-dialect body's `billing[]` (strings, as Kling sends them). */
export const klingNewBillingItemSchema = z.looseObject({
  charge_type: klingTextSchema.nullish(),
  cash_type: klingTextSchema.nullish(),
  amount: klingTextSchema.nullish(),
  currency: klingTextSchema.nullish(),
  package_type: klingTextSchema.nullish(),
  list_price: klingTextSchema.nullish(),
});

/**
 * Kling's new-dialect callback / task body (model in the path, e.g. `/image-to-video/kling-3.0`): flat, keyed by
 * `id`, status `succeeded`, results in typed `outputs[]`, costs in `billing[]`, times in Unix ms. Only `id` and
 * `status` are required; unknown keys are kept.
 */
export const klingNewBodySchema = z.looseObject({
  id: klingTaskIdSchema,
  status: klingStatusTextSchema,
  message: z.string().nullish(),
  create_time: klingUnixMsSchema.nullish(),
  update_time: klingUnixMsSchema.nullish(),
  external_id: klingIdSchema.nullish(),
  outputs: boundedArray(klingNewOutputSchema, MAX_ENTRIES, 'outputs').nullish(),
  billing: boundedArray(klingNewBillingItemSchema, MAX_ENTRIES, 'billing items').nullish(),
});

/** A new-dialect body after parsing: ids are strings, durations numbers, times `Date`s. */
export type KlingNewBody = z.output<typeof klingNewBodySchema>;
/** A new-dialect body as Kling sends it (for building test payloads). */
export type KlingNewBodyInput = z.input<typeof klingNewBodySchema>;
/** A parsed `outputs[]` entry. */
export type KlingNewOutput = z.output<typeof klingNewOutputSchema>;
/** A parsed `video` output. */
export type KlingNewVideoOutput = z.output<typeof klingNewVideoOutputSchema>;
/** A parsed `image` output. */
export type KlingNewImageOutput = z.output<typeof klingNewImageOutputSchema>;
/** A parsed `audio` output. */
export type KlingNewAudioOutput = z.output<typeof klingNewAudioOutputSchema>;
