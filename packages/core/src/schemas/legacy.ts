import { z } from 'zod';
import type { KlingBilling, KlingTaskFields } from '../event.js';
import { boundedArray } from './bounded-array.js';
import {
  klingOtherIdSchema,
  klingStatusTextSchema,
  klingStringSchema,
  klingTaskIdSchema,
  klingTextSchema,
  klingUnixMsSchema,
  MAX_ENTRIES,
} from './fields.js';
import { imageFields, imageIndex, toImage, toVideo, videoFields } from './media.js';
import { flatStatus } from './status.js';

/** A video of a legacy body's `task_result.videos[]` (`duration` is seconds as a string, `"5.1"`) → a `KlingVideo`. */
export const klingLegacyVideoSchema = z.object(videoFields).transform(toVideo);

/** An image of a legacy body's `task_result.images[]` → a `KlingImage`. */
export const klingLegacyImageSchema = z.object({ index: imageIndex, ...imageFields }).transform(toImage);

const balanceSchema = z
  .object({ quota: klingTextSchema.nullish(), list_price: klingTextSchema.nullish() })
  .transform((balance) => ({ quota: balance.quota ?? undefined, listPrice: balance.list_price ?? undefined }));

/**
 * Kling's legacy callback / task body (model chosen by `model_name`, paths under `/v1`): flat, keyed by `task_id`,
 * status `succeed`, times in Unix ms → the event's fields. Only `task_id` and `task_status` are required; unknown
 * keys are allowed (the event keeps the body as `raw`), and fields this library does not map (e.g.
 * `task_info.parent_video`) are not checked.
 */
export const klingLegacyBodySchema = z
  .object({
    task_id: klingTaskIdSchema,
    task_status: klingStatusTextSchema,
    task_status_msg: klingStringSchema.nullish(),
    created_at: klingUnixMsSchema.nullish(),
    updated_at: klingUnixMsSchema.nullish(),
    task_info: z.object({ external_task_id: klingOtherIdSchema.nullish() }).nullish(),
    task_result: z
      .object({
        videos: boundedArray(klingLegacyVideoSchema, MAX_ENTRIES, 'videos').nullish(),
        images: boundedArray(klingLegacyImageSchema, MAX_ENTRIES, 'images').nullish(),
      })
      .nullish(),
    final_unit_deduction: klingTextSchema.nullish(),
    final_balance_deduction: balanceSchema.nullish(),
  })
  .transform(
    (task): KlingTaskFields => ({
      taskId: task.task_id,
      status: flatStatus(task.task_status),
      rawStatus: task.task_status,
      externalTaskId: task.task_info?.external_task_id ?? undefined,
      message: task.task_status_msg ?? '',
      createdAt: task.created_at ?? undefined,
      updatedAt: task.updated_at ?? undefined,
      videos: task.task_result?.videos ?? [],
      images: task.task_result?.images ?? [],
      audios: [],
      outputs: [],
      billing: legacyBilling(task.final_unit_deduction ?? undefined, task.final_balance_deduction ?? undefined),
      dialect: 'legacy',
    }),
  );

function legacyBilling(
  unitDeduction: string | undefined,
  balanceDeduction: KlingBilling['balanceDeduction'],
): KlingBilling | undefined {
  if (unitDeduction === undefined && balanceDeduction === undefined) return undefined;
  return { unitDeduction, balanceDeduction, items: [] };
}

/** A legacy body's event fields (the parse's output). */
export type KlingLegacyBody = z.output<typeof klingLegacyBodySchema>;
/** A legacy body as Kling sends it (for building test payloads). */
export type KlingLegacyBodyInput = z.input<typeof klingLegacyBodySchema>;
