import { z } from 'zod';
import type { KlingTaskFields } from '../event.js';
import {
  klingDurationSchema,
  klingIsoDateSchema,
  klingStatusTextSchema,
  klingStringSchema,
  klingTaskIdSchema,
} from './fields.js';
import { RELAY_EVENTS, relayStatus } from './status.js';

/** The relay `event` names of the seeds; any other string is kept and normalizes to status `'unknown'`. */
export const klingRelayEventSchema = z.enum(
  RELAY_EVENTS.map(([event]) => event) as [RelayEventName, ...RelayEventName[]],
);
type RelayEventName = (typeof RELAY_EVENTS)[number][0];

/**
 * The unofficial `{event, timestamp, data}` envelope of the seeds (no basis in Kling's docs; gateways and relays in
 * front of Kling may send it, usually with `X-Kling-Signature`) → the event's fields. Only `event` and `data.job_id`
 * are required; times are ISO 8601 strings. `event` stays a plain string so unknown events can reach `'*'` handlers.
 */
export const klingRelayBodySchema = z
  .object({
    event: klingStatusTextSchema,
    timestamp: klingIsoDateSchema.nullish(),
    data: z.object({
      job_id: klingTaskIdSchema,
      status: klingStringSchema.nullish(),
      video_url: klingStringSchema.nullish(),
      thumbnail_url: klingStringSchema.nullish(),
      duration: klingDurationSchema.nullish(),
      error: klingStringSchema.nullish(),
      progress: z.number().nullish(),
      created_at: klingIsoDateSchema.nullish(),
      completed_at: klingIsoDateSchema.nullish(),
    }),
  })
  .transform(({ event, timestamp, data }): KlingTaskFields => {
    const url = data.video_url ?? undefined;
    return {
      taskId: data.job_id,
      status: relayStatus(event),
      rawStatus: event,
      message: data.error ?? (event === 'video.cancelled' ? 'cancelled' : ''),
      createdAt: data.created_at ?? undefined,
      updatedAt: data.completed_at ?? timestamp ?? undefined,
      videos: url === undefined ? [] : [{ id: data.job_id, url, duration: data.duration ?? undefined }],
      images: [],
      audios: [],
      outputs: [],
      dialect: 'relay',
    };
  });

/** A relay envelope's event fields (the parse's output). */
export type KlingRelayBody = z.output<typeof klingRelayBodySchema>;
/** A relay envelope as a relay sends it. */
export type KlingRelayBodyInput = z.input<typeof klingRelayBodySchema>;
/** A relay event name of the seeds. */
export type KlingRelayEvent = z.infer<typeof klingRelayEventSchema>;
