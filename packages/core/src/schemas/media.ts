import { z } from 'zod';
import type { KlingImage, KlingVideo } from '../event.js';
import { klingDurationSchema, klingOtherIdSchema, klingStringSchema } from './fields.js';

/** A video as both dialects send it (legacy `task_result.videos[]`, new `outputs[]` of type `video`). */
export const videoFields = {
  id: klingOtherIdSchema,
  url: klingStringSchema,
  duration: klingDurationSchema.nullish(),
  watermark_url: klingStringSchema.nullish(),
};

/** The event's video for a parsed {@link videoFields} object. */
export function toVideo(video: z.output<z.ZodObject<typeof videoFields>>): KlingVideo {
  return {
    id: video.id,
    url: video.url,
    duration: video.duration ?? undefined,
    watermarkUrl: video.watermark_url ?? undefined,
  };
}

/** The fields of an image both dialects send (each in its own order, which decides the first issue reported). */
export const imageFields = {
  url: klingStringSchema,
  watermark_url: klingStringSchema.nullish(),
};
/** An image's place in its group. */
export const imageIndex = z.int().nullish();

/** The event's image for a parsed image (legacy: with `index`; new: with `group_id` and `index`). */
export function toImage(
  image: z.output<z.ZodObject<typeof imageFields>> & { index?: number | null; group_id?: string | null },
): KlingImage {
  return {
    index: image.index ?? undefined,
    url: image.url,
    watermarkUrl: image.watermark_url ?? undefined,
    groupId: image.group_id ?? undefined,
  };
}
