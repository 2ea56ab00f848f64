import { z } from 'zod';
import type { KlingAudio, KlingBillingItem, KlingImage, KlingOutput, KlingTaskFields, KlingVideo } from '../event.js';
import { boundedArray } from './bounded-array.js';
import { dispatchSchema } from './dispatch.js';
import {
  klingDurationSchema,
  klingOtherIdSchema,
  klingStatusTextSchema,
  klingStringSchema,
  klingTaskIdSchema,
  klingTextSchema,
  klingUnixMsSchema,
  MAX_ENTRIES,
} from './fields.js';
import { imageFields, imageIndex, toImage, toVideo, videoFields } from './media.js';
import { isRecord } from './record.js';
import { flatStatus } from './status.js';

/** A `video` entry of a new-dialect body's `outputs[]`: the legacy video's fields, tagged with its type. */
export const klingNewVideoOutputSchema = z.object({ type: z.literal('video'), ...videoFields }).transform(toVideo);

/** An `image` entry of a new-dialect body's `outputs[]`. */
export const klingNewImageOutputSchema = z
  .object({ type: z.literal('image'), ...imageFields, group_id: klingOtherIdSchema.nullish(), index: imageIndex })
  .transform(toImage);

/** An `audio` entry of a new-dialect body's `outputs[]`; durations are seconds (strings or numbers). */
export const klingNewAudioOutputSchema = z
  .object({
    type: z.literal('audio'),
    id: klingOtherIdSchema.nullish(),
    mp3_url: klingStringSchema.nullish(),
    wav_url: klingStringSchema.nullish(),
    mp3_duration: klingDurationSchema.nullish(),
    wav_duration: klingDurationSchema.nullish(),
  })
  .transform(
    (audio): KlingAudio => ({
      id: audio.id ?? undefined,
      mp3Url: audio.mp3_url ?? undefined,
      wavUrl: audio.wav_url ?? undefined,
      mp3Duration: audio.mp3_duration ?? undefined,
      wavDuration: audio.wav_duration ?? undefined,
    }),
  );

/** Any other `outputs[]` entry (`voice`, `element`, types added later): only its `type` is checked. */
export const klingNewOtherOutputSchema = z.object({ type: z.string() }).transform(() => undefined);

/** A parsed `outputs[]` entry: the entry as sent, and what the event lists it under, if anything. */
export interface KlingNewOutput {
  sent: KlingOutput;
  video?: KlingVideo;
  image?: KlingImage;
  audio?: KlingAudio;
}

/** One entry of a new-dialect body's `outputs[]`, checked by the schema of its `type`. */
export const klingNewOutputSchema = dispatchSchema(
  {
    video: klingNewVideoOutputSchema,
    image: klingNewImageOutputSchema,
    audio: klingNewAudioOutputSchema,
    other: klingNewOtherOutputSchema,
  },
  (value) => {
    const type = isRecord(value) ? value.type : undefined;
    return type === 'video' || type === 'image' || type === 'audio' ? type : 'other';
  },
  // As sent (the parse checked it is an object with a string `type`), not as parsed.
  (parsed, sent, picked): KlingNewOutput => {
    const entry = sent as KlingOutput;
    switch (picked) {
      case 'video':
        return { sent: entry, video: parsed as KlingVideo };
      case 'image':
        return { sent: entry, image: parsed as KlingImage };
      case 'audio':
        return { sent: entry, audio: parsed as KlingAudio };
      default:
        return { sent: entry };
    }
  },
);

/** One line of a new-dialect body's `billing[]` (strings, as Kling sends them). */
export const klingNewBillingItemSchema = z
  .object({
    charge_type: klingTextSchema.nullish(),
    cash_type: klingTextSchema.nullish(),
    amount: klingTextSchema.nullish(),
    currency: klingTextSchema.nullish(),
    package_type: klingTextSchema.nullish(),
    list_price: klingTextSchema.nullish(),
  })
  .transform(
    (item): KlingBillingItem => ({
      chargeType: item.charge_type ?? undefined,
      cashType: item.cash_type ?? undefined,
      amount: item.amount ?? undefined,
      currency: item.currency ?? undefined,
      packageType: item.package_type ?? undefined,
      listPrice: item.list_price ?? undefined,
    }),
  );

/**
 * Kling's new-dialect callback / task body (model in the path, e.g. `/image-to-video/kling-3.0`): flat, keyed by
 * `id`, status `succeeded`, results in typed `outputs[]`, costs in `billing[]`, times in Unix ms → the event's
 * fields. Only `id` and `status` are required; unknown keys are allowed (the event keeps the body as `raw`).
 */
export const klingNewBodySchema = z
  .object({
    id: klingTaskIdSchema,
    status: klingStatusTextSchema,
    message: klingStringSchema.nullish(),
    create_time: klingUnixMsSchema.nullish(),
    update_time: klingUnixMsSchema.nullish(),
    external_id: klingOtherIdSchema.nullish(),
    outputs: boundedArray(klingNewOutputSchema, MAX_ENTRIES, 'outputs').nullish(),
    billing: boundedArray(klingNewBillingItemSchema, MAX_ENTRIES, 'billing items').nullish(),
  })
  .transform((task): KlingTaskFields => {
    const outputs = task.outputs ?? [];
    return {
      taskId: task.id,
      status: flatStatus(task.status),
      rawStatus: task.status,
      externalTaskId: task.external_id ?? undefined,
      message: task.message ?? '',
      createdAt: task.create_time ?? undefined,
      updatedAt: task.update_time ?? undefined,
      videos: outputs.flatMap((output) => (output.video ? [output.video] : [])),
      images: outputs.flatMap((output) => (output.image ? [output.image] : [])),
      audios: outputs.flatMap((output) => (output.audio ? [output.audio] : [])),
      outputs: outputs.map((output) => output.sent),
      billing: task.billing ? { items: task.billing } : undefined,
      dialect: 'new',
    };
  });

/** A new-dialect body's event fields (the parse's output). */
export type KlingNewBody = z.output<typeof klingNewBodySchema>;
/** A new-dialect body as Kling sends it (for building test payloads). */
export type KlingNewBodyInput = z.input<typeof klingNewBodySchema>;
/** A parsed `video` output: the event's video. */
export type KlingNewVideoOutput = KlingVideo;
/** A parsed `image` output: the event's image. */
export type KlingNewImageOutput = KlingImage;
/** A parsed `audio` output: the event's audio. */
export type KlingNewAudioOutput = KlingAudio;
