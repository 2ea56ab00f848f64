import { z } from 'zod';

/** The four task states Kling reports, with the legacy spelling `succeed` (the new dialect's `succeeded` maps to it). */
export const klingStatusSchema = z.enum(['submitted', 'processing', 'succeed', 'failed']);
/** A known Kling task state. */
export type KlingStatus = z.infer<typeof klingStatusSchema>;
/** `'unknown'` is the status of an event whose raw status none of the known ones is; see `rawStatus`. */
export type KlingEventStatus = KlingStatus | 'unknown';

/**
 * A generated video. `duration` is in seconds (Kling sends a string such as `"5.1"`); it is optional because a body
 * without it must not be refused forever (a 400 is redelivered, and polled, identically every time).
 */
export const klingVideoSchema = z.object({
  id: z.string(),
  url: z.string(),
  duration: z.number().optional(),
  watermarkUrl: z.string().optional(),
});

/** A generated image. */
export const klingImageSchema = z.object({
  index: z.number().int().optional(),
  url: z.string(),
  watermarkUrl: z.string().optional(),
  groupId: z.string().optional(),
});

/** A generated audio track (new dialect `outputs[]` of type `audio`). Durations in seconds. */
export const klingAudioSchema = z.object({
  id: z.string().optional(),
  mp3Url: z.string().optional(),
  wavUrl: z.string().optional(),
  mp3Duration: z.number().optional(),
  wavDuration: z.number().optional(),
});

/** One entry of the new dialect's typed `outputs[]`, kept as sent (`video`, `image`, `audio`, `voice`, `element`, ...). */
export const klingOutputSchema = z.looseObject({ type: z.string() });

/** One line of the new dialect's `billing[]` (all values are strings, as Kling sends them). */
export const klingBillingItemSchema = z.object({
  chargeType: z.string().optional(),
  cashType: z.string().optional(),
  amount: z.string().optional(),
  currency: z.string().optional(),
  packageType: z.string().optional(),
  listPrice: z.string().optional(),
});

/** What the task cost: the legacy deduction fields, the new dialect's items, or both. */
export const klingBillingSchema = z.object({
  unitDeduction: z.string().optional(),
  balanceDeduction: z.object({ quota: z.string().optional(), listPrice: z.string().optional() }).optional(),
  items: z.array(klingBillingItemSchema),
});

/** Which body shape the event came from. */
export const klingDialectSchema = z.enum(['legacy', 'new', 'relay']);

const eventFields = {
  taskId: z.string(),
  /** The status exactly as sent (`succeeded`, `succeed`, `video.completed`, ...). */
  rawStatus: z.string(),
  externalTaskId: z.string().optional(),
  message: z.string(),
  createdAt: z.date().optional(),
  updatedAt: z.date().optional(),
  videos: z.array(klingVideoSchema),
  images: z.array(klingImageSchema),
  audios: z.array(klingAudioSchema),
  outputs: z.array(klingOutputSchema),
  billing: klingBillingSchema.optional(),
  dialect: klingDialectSchema,
  /** The `webhook-id` header of the delivery, when Kling signed it. */
  deliveryId: z.string().optional(),
  /** The body as parsed, unknown fields included. */
  raw: z.record(z.string(), z.unknown()),
  source: z.enum(['callback', 'poll']),
};

/** The one normalized event every body shape and every poll result becomes. */
export const klingTaskEventSchema = z.discriminatedUnion('status', [
  z.object({ ...eventFields, status: z.literal('submitted') }),
  z.object({ ...eventFields, status: z.literal('processing') }),
  z.object({ ...eventFields, status: z.literal('succeed') }),
  z.object({ ...eventFields, status: z.literal('failed') }),
  z.object({ ...eventFields, status: z.literal('unknown') }),
]);

/** A normalized Kling task event, narrowed by `status`. */
export type KlingTaskEvent = z.infer<typeof klingTaskEventSchema>;
/** The event type for one status. */
export type KlingEventOf<S extends KlingEventStatus> = Extract<KlingTaskEvent, { status: S }>;
/** A task that finished: `videos` / `images` / `audios` hold the results (URLs expire after 30 days). */
export type KlingSucceededEvent = KlingEventOf<'succeed'>;
/** A task that failed: `message` says why. */
export type KlingFailedEvent = KlingEventOf<'failed'>;
/** A task Kling accepted. */
export type KlingSubmittedEvent = KlingEventOf<'submitted'>;
/** A task in progress. */
export type KlingProcessingEvent = KlingEventOf<'processing'>;
/** An event with a status this library does not know; only `'*'` handlers get it. */
export type KlingUnknownEvent = KlingEventOf<'unknown'>;
/** A video, image, audio, output or billing entry of an event. */
export type KlingVideo = z.infer<typeof klingVideoSchema>;
/** @see klingImageSchema */
export type KlingImage = z.infer<typeof klingImageSchema>;
/** @see klingAudioSchema */
export type KlingAudio = z.infer<typeof klingAudioSchema>;
/** @see klingOutputSchema */
export type KlingOutput = z.infer<typeof klingOutputSchema>;
/** @see klingBillingSchema */
export type KlingBilling = z.infer<typeof klingBillingSchema>;
/** @see klingDialectSchema */
export type KlingDialect = z.infer<typeof klingDialectSchema>;

/** `succeed` and `failed` end a task; nothing after them is dispatched. */
export function isTerminalStatus(status: KlingEventStatus): status is 'succeed' | 'failed' {
  return status === 'succeed' || status === 'failed';
}
