import { z } from 'zod';
import { klingDurationSchema, klingIsoDateSchema, klingStatusTextSchema, klingTaskIdSchema } from './fields.js';

/** The relay `event` names of the seeds; any other string is kept and normalizes to status `'unknown'`. */
export const klingRelayEventSchema = z.enum([
  'video.created',
  'video.processing',
  'video.completed',
  'video.failed',
  'video.cancelled',
]);

/**
 * The unofficial `{event, timestamp, data}` envelope of the seeds (no basis in Kling's docs; gateways and relays in
 * front of Kling may send it, usually with `X-Kling-Signature`). Only `event` and `data.job_id` are required; times
 * are ISO 8601 strings. `event` stays a plain string so unknown events can reach `'*'` handlers.
 */
export const klingRelayBodySchema = z.looseObject({
  event: klingStatusTextSchema,
  timestamp: klingIsoDateSchema.nullish(),
  data: z.looseObject({
    job_id: klingTaskIdSchema,
    status: z.string().nullish(),
    video_url: z.string().nullish(),
    thumbnail_url: z.string().nullish(),
    duration: klingDurationSchema.nullish(),
    error: z.string().nullish(),
    progress: z.number().nullish(),
    created_at: klingIsoDateSchema.nullish(),
    completed_at: klingIsoDateSchema.nullish(),
  }),
});

/** A parsed relay envelope: `duration` a number, times `Date`s. */
export type KlingRelayBody = z.output<typeof klingRelayBodySchema>;
/** A relay envelope as a relay sends it. */
export type KlingRelayBodyInput = z.input<typeof klingRelayBodySchema>;
/** A relay event name of the seeds. */
export type KlingRelayEvent = z.infer<typeof klingRelayEventSchema>;
