import { z } from 'zod';
import { boundedArray } from './bounded-array.js';
import {
  klingDurationSchema,
  klingIdSchema,
  klingStatusTextSchema,
  klingTaskIdSchema,
  klingTextSchema,
  klingUnixMsSchema,
  MAX_ENTRIES,
} from './fields.js';

/** A video of a legacy body's `task_result.videos[]`: `duration` is seconds as a string (`"5.1"`). */
export const klingLegacyVideoSchema = z.looseObject({
  id: klingIdSchema,
  url: z.string(),
  duration: klingDurationSchema.nullish(),
  watermark_url: z.string().nullish(),
});

/** An image of a legacy body's `task_result.images[]`. */
export const klingLegacyImageSchema = z.looseObject({
  index: z.int().nullish(),
  url: z.string(),
  watermark_url: z.string().nullish(),
});

/**
 * Kling's legacy callback / task body (model chosen by `model_name`, paths under `/v1`): flat, keyed by `task_id`,
 * status `succeed`, times in Unix ms. Only `task_id` and `task_status` are required; unknown keys are kept, and
 * fields this library does not map (e.g. `task_info.parent_video`) are not checked.
 */
export const klingLegacyBodySchema = z.looseObject({
  task_id: klingTaskIdSchema,
  task_status: klingStatusTextSchema,
  task_status_msg: z.string().nullish(),
  created_at: klingUnixMsSchema.nullish(),
  updated_at: klingUnixMsSchema.nullish(),
  task_info: z.looseObject({ external_task_id: klingIdSchema.nullish() }).nullish(),
  task_result: z
    .looseObject({
      videos: boundedArray(klingLegacyVideoSchema, MAX_ENTRIES, 'videos').nullish(),
      images: boundedArray(klingLegacyImageSchema, MAX_ENTRIES, 'images').nullish(),
    })
    .nullish(),
  final_unit_deduction: klingTextSchema.nullish(),
  final_balance_deduction: z
    .looseObject({ quota: klingTextSchema.nullish(), list_price: klingTextSchema.nullish() })
    .nullish(),
});

/** A legacy body after parsing: ids are strings, durations numbers, times `Date`s. */
export type KlingLegacyBody = z.output<typeof klingLegacyBodySchema>;
/** A legacy body as Kling sends it (for building test payloads). */
export type KlingLegacyBodyInput = z.input<typeof klingLegacyBodySchema>;
