import { z } from 'zod';

/** The four task states Kling reports, with the legacy spelling `succeed` (the new dialect's `succeeded` maps to it). */
export const klingStatusSchema = z.enum(['submitted', 'processing', 'succeed', 'failed']);
/** A known Kling task state. */
export type KlingStatus = 'submitted' | 'processing' | 'succeed' | 'failed';
/** `'unknown'` is the status of an event whose raw status none of the known ones is; see `rawStatus`. */
export type KlingEventStatus = KlingStatus | 'unknown';

/**
 * A generated video. `duration` is in seconds (Kling sends a string such as `"5.1"`); it is optional because a body
 * without it must not be refused forever (a 400 is redelivered, and polled, identically every time).
 */
export interface KlingVideo {
  id: string;
  url: string;
  duration?: number;
  watermarkUrl?: string;
}

/** A generated image. */
export interface KlingImage {
  index?: number;
  url: string;
  watermarkUrl?: string;
  groupId?: string;
}

/** A generated audio track (new dialect `outputs[]` of type `audio`). Durations in seconds. */
export interface KlingAudio {
  id?: string;
  mp3Url?: string;
  wavUrl?: string;
  mp3Duration?: number;
  wavDuration?: number;
}

/** One entry of the new dialect's typed `outputs[]`, kept as sent (`video`, `image`, `audio`, `voice`, `element`, ...). */
export interface KlingOutput {
  type: string;
  [key: string]: unknown;
}

/** One line of the new dialect's `billing[]` (all values are strings, as Kling sends them). */
export interface KlingBillingItem {
  chargeType?: string;
  cashType?: string;
  amount?: string;
  currency?: string;
  packageType?: string;
  listPrice?: string;
}

/** What the task cost: the legacy deduction fields, the new dialect's items, or both. */
export interface KlingBilling {
  unitDeduction?: string;
  balanceDeduction?: { quota?: string; listPrice?: string };
  items: KlingBillingItem[];
}

/** Which body shape the event came from. */
export type KlingDialect = 'legacy' | 'new' | 'relay';

/**
 * What a body says about its task: an event without where it came from (`deliveryId`, `source`, `raw`). Each
 * dialect's schema (`schemas/legacy.ts`, `schemas/new.ts`, `schemas/relay.ts`) turns a body into this.
 */
export interface KlingTaskFields {
  taskId: string;
  status: KlingEventStatus;
  /** The status exactly as sent (`succeeded`, `succeed`, `video.completed`, ...). */
  rawStatus: string;
  externalTaskId?: string;
  message: string;
  createdAt?: Date;
  updatedAt?: Date;
  videos: KlingVideo[];
  images: KlingImage[];
  audios: KlingAudio[];
  outputs: KlingOutput[];
  billing?: KlingBilling;
  dialect: KlingDialect;
}

/** The fields of every event, whatever its status. */
export interface KlingEventBase extends KlingTaskFields {
  /** The `webhook-id` header of the delivery, when Kling signed it. */
  deliveryId?: string;
  /** The body as parsed, unknown fields included. */
  raw: Record<string, unknown>;
  source: 'callback' | 'poll';
}

/** A task Kling accepted. */
export interface KlingSubmittedEvent extends KlingEventBase {
  status: 'submitted';
}
/** A task in progress. */
export interface KlingProcessingEvent extends KlingEventBase {
  status: 'processing';
}
/** A task that finished: `videos` / `images` / `audios` hold the results (URLs expire after 30 days). */
export interface KlingSucceededEvent extends KlingEventBase {
  status: 'succeed';
}
/** A task that failed: `message` says why. */
export interface KlingFailedEvent extends KlingEventBase {
  status: 'failed';
}
/** An event with a status this library does not know; only `'*'` handlers get it. */
export interface KlingUnknownEvent extends KlingEventBase {
  status: 'unknown';
}

/** The one normalized event every body shape and every poll result becomes, narrowed by `status`. */
export type KlingTaskEvent =
  | KlingSubmittedEvent
  | KlingProcessingEvent
  | KlingSucceededEvent
  | KlingFailedEvent
  | KlingUnknownEvent;
/**
 * The new dialect's spelling of `succeed`, accepted wherever a status is named (`receiver.on('succeeded', ...)`): it
 * names the same events, of either dialect (events carry `status: 'succeed'`, and `rawStatus` as sent).
 */
export type KlingStatusAlias = 'succeeded';

/** The status an alias stands for (`succeeded` → `succeed`); any other status is itself. */
export type KlingCanonicalStatus<S extends KlingEventStatus | KlingStatusAlias> = S extends KlingStatusAlias
  ? 'succeed'
  : S;

/** The event type for one status (`'succeeded'` gives the `'succeed'` event). */
export type KlingEventOf<S extends KlingEventStatus | KlingStatusAlias> = Extract<
  KlingTaskEvent,
  { status: KlingCanonicalStatus<S> }
>;

/** `succeed` and `failed` end a task; nothing after them is dispatched. */
export function isTerminalStatus(status: KlingEventStatus): status is 'succeed' | 'failed' {
  return status === 'succeed' || status === 'failed';
}
