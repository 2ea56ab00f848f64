import { z } from 'zod';
import type {
  KlingAudio,
  KlingBilling,
  KlingEventStatus,
  KlingImage,
  KlingOutput,
  KlingStatus,
  KlingTaskEvent,
  KlingVideo,
} from './event.js';
import { boundedArray } from './schemas/bounded-array.js';
import { klingEnvelopeSchema, klingListEnvelopeSchema } from './schemas/envelope.js';
import { fastFlatBody } from './schemas/fast-path.js';
import { MAX_TASKS } from './schemas/fields.js';
import { type KlingFlatBody, klingFlatBodySchema } from './schemas/flat.js';
import type { KlingLegacyBody, klingLegacyVideoSchema } from './schemas/legacy.js';
import type {
  KlingNewAudioOutput,
  KlingNewBody,
  KlingNewImageOutput,
  KlingNewOutput,
  KlingNewVideoOutput,
} from './schemas/new.js';
import { isRecord } from './schemas/record.js';
import { type KlingRelayBody, type KlingRelayEvent, klingRelayBodySchema } from './schemas/relay.js';
import { KlingValidationError } from './schemas/validation-error.js';

/** Where an event came from, added to what the body says. */
export interface KlingNormalizeContext {
  /** The `webhook-id` header of a signed delivery. */
  deliveryId?: string;
  /** `'callback'` (default) for a delivery, `'poll'` for a query result. */
  source?: 'callback' | 'poll';
}

// Maps, not object literals: a status such as `__proto__` or `toString` must not find anything.
const FLAT_STATUS = new Map<string, KlingStatus>([
  ['submitted', 'submitted'],
  ['processing', 'processing'],
  ['succeed', 'succeed'],
  ['succeeded', 'succeed'],
  ['failed', 'failed'],
]);
const RELAY_STATUS = new Map<string, KlingStatus>([
  ['video.created', 'submitted'],
  ['video.processing', 'processing'],
  ['video.completed', 'succeed'],
  ['video.failed', 'failed'],
  ['video.cancelled', 'failed'],
] satisfies [KlingRelayEvent, KlingStatus][]);

const flatListSchema = boundedArray(klingFlatBodySchema, MAX_TASKS, 'tasks');

/**
 * Turns one body of any accepted shape into a {@link KlingTaskEvent}: Kling's legacy flat body (`task_id`), its
 * new-dialect flat body (`id`), the `{code, data}` query envelope of either, or the seeds' `{event, data}` relay
 * envelope. `raw` is `body` itself; unknown fields stay there. At most one zod parse per body (a well-formed flat body is checked without one); nothing unknown is walked.
 * @throws {KlingValidationError} (and nothing else) when the body is not one of those shapes; `path` names the field.
 */
export function normalize(body: unknown, context: KlingNormalizeContext = {}): KlingTaskEvent {
  if (!isRecord(body)) throw new KlingValidationError('', 'expected a JSON object');
  if (isEnvelope(body)) {
    if (Array.isArray(body.data))
      throw new KlingValidationError('data', 'expected one task object (a list needs normalizeMany)');
    return fromTask(parse(klingEnvelopeSchema, body).data, taskObject(body.data), body, context);
  }
  if (typeof body.event === 'string' && typeof body.data === 'object' && body.data !== null) {
    return fromRelay(parse(klingRelayBodySchema, body), body, context);
  }
  // Well-formed bodies (nearly every callback) are checked by hand; zod parses the rest and words any refusal.
  return fromTask(fastFlatBody(body) ?? parse(klingFlatBodySchema, body), body, body, context);
}

/**
 * Like {@link normalize}, for query answers that hold several tasks: an envelope with `data: [...]` (as
 * `GET /tasks?task_ids=a,b` answers), or that list itself, gives one event per entry, in order, each with that entry
 * as its `raw`; any other body gives `[normalize(body)]`.
 * @throws {KlingValidationError} with the path of the bad field, e.g. `data.1.status` (`1.status` for a bare list).
 */
export function normalizeMany(body: unknown, context: KlingNormalizeContext = {}): KlingTaskEvent[] {
  if (Array.isArray(body)) return fromList(parse(flatListSchema, body), body, context);
  if (isRecord(body) && isEnvelope(body) && Array.isArray(body.data)) {
    return fromList(parse(klingListEnvelopeSchema, body).data, body.data, context);
  }
  return [normalize(body, context)];
}

function fromList(tasks: KlingFlatBody[], sent: unknown[], context: KlingNormalizeContext): KlingTaskEvent[] {
  return tasks.map((task, i) => {
    const raw = taskObject(sent[i]);
    return fromTask(task, raw, raw, context);
  });
}

function isEnvelope(body: Record<string, unknown>): boolean {
  return body.code !== undefined && typeof body.data === 'object' && body.data !== null;
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw KlingValidationError.fromZod(result.error);
  return result.data;
}

/** The sent object behind a parsed task (a parse succeeded, so it is one). */
function taskObject(value: unknown): Record<string, unknown> {
  if (!isRecord(value)) throw new KlingValidationError('data', 'expected a task object');
  return value;
}

function flatStatus(raw: string): KlingEventStatus {
  return FLAT_STATUS.get(raw) ?? 'unknown';
}

function fromTask(
  task: KlingFlatBody,
  sent: Record<string, unknown>,
  raw: Record<string, unknown>,
  context: KlingNormalizeContext,
): KlingTaskEvent {
  return isLegacy(task) ? fromLegacy(task, raw, context) : fromNew(task, sent, raw, context);
}

/** The task schema parsed a body with `task_id` as legacy and rejected one that also had `id`. */
function isLegacy(task: KlingFlatBody): task is KlingLegacyBody {
  return typeof task.task_id === 'string';
}

function fromLegacy(
  task: KlingLegacyBody,
  raw: Record<string, unknown>,
  context: KlingNormalizeContext,
): KlingTaskEvent {
  const result = task.task_result;
  return {
    taskId: task.task_id,
    status: flatStatus(task.task_status),
    rawStatus: task.task_status,
    externalTaskId: task.task_info?.external_task_id ?? undefined,
    message: task.task_status_msg ?? '',
    createdAt: task.created_at ?? undefined,
    updatedAt: task.updated_at ?? undefined,
    videos: (result?.videos ?? []).map(toVideo),
    images: (result?.images ?? []).map((i) => ({
      index: i.index ?? undefined,
      url: i.url,
      watermarkUrl: i.watermark_url ?? undefined,
    })),
    audios: [],
    outputs: [],
    billing: legacyBilling(task),
    dialect: 'legacy',
    deliveryId: context.deliveryId,
    raw,
    source: context.source ?? 'callback',
  };
}

function legacyBilling(task: KlingLegacyBody): KlingBilling | undefined {
  const unit = task.final_unit_deduction ?? undefined;
  const balance = task.final_balance_deduction ?? undefined;
  if (unit === undefined && balance === undefined) return undefined;
  return {
    unitDeduction: unit,
    balanceDeduction: balance && { quota: balance.quota ?? undefined, listPrice: balance.list_price ?? undefined },
    items: [],
  };
}

function fromNew(
  task: KlingNewBody,
  sent: Record<string, unknown>,
  raw: Record<string, unknown>,
  context: KlingNormalizeContext,
): KlingTaskEvent {
  const outputs = task.outputs ?? [];
  return {
    taskId: task.id,
    status: flatStatus(task.status),
    rawStatus: task.status,
    externalTaskId: task.external_id ?? undefined,
    message: task.message ?? '',
    createdAt: task.create_time ?? undefined,
    updatedAt: task.update_time ?? undefined,
    videos: outputs.filter(isVideo).map(toVideo),
    images: outputs.filter(isImage).map(toImage),
    audios: outputs.filter(isAudio).map(toAudio),
    // As sent (the parse checked each is an object with a string `type`), not as parsed.
    outputs: Array.isArray(sent.outputs) ? sent.outputs.filter(isOutput) : [],
    billing: task.billing ? { items: task.billing.map(toBillingItem) } : undefined,
    dialect: 'new',
    deliveryId: context.deliveryId,
    raw,
    source: context.source ?? 'callback',
  };
}

function isVideo(output: KlingNewOutput): output is KlingNewVideoOutput {
  return output.type === 'video';
}
function isImage(output: KlingNewOutput): output is KlingNewImageOutput {
  return output.type === 'image';
}
function isAudio(output: KlingNewOutput): output is KlingNewAudioOutput {
  return output.type === 'audio';
}
function isOutput(value: unknown): value is KlingOutput {
  return isRecord(value) && typeof value.type === 'string';
}

/** Legacy `task_result.videos[]` and new `outputs[]` videos carry the same fields. */
function toVideo(video: z.output<typeof klingLegacyVideoSchema> | KlingNewVideoOutput): KlingVideo {
  return {
    id: video.id,
    url: video.url,
    duration: video.duration ?? undefined,
    watermarkUrl: video.watermark_url ?? undefined,
  };
}

function toImage(image: KlingNewImageOutput): KlingImage {
  return {
    index: image.index ?? undefined,
    url: image.url,
    watermarkUrl: image.watermark_url ?? undefined,
    groupId: image.group_id ?? undefined,
  };
}

function toAudio(audio: KlingNewAudioOutput): KlingAudio {
  return {
    id: audio.id ?? undefined,
    mp3Url: audio.mp3_url ?? undefined,
    wavUrl: audio.wav_url ?? undefined,
    mp3Duration: audio.mp3_duration ?? undefined,
    wavDuration: audio.wav_duration ?? undefined,
  };
}

function toBillingItem(item: NonNullable<KlingNewBody['billing']>[number]): KlingBilling['items'][number] {
  return {
    chargeType: item.charge_type ?? undefined,
    cashType: item.cash_type ?? undefined,
    amount: item.amount ?? undefined,
    currency: item.currency ?? undefined,
    packageType: item.package_type ?? undefined,
    listPrice: item.list_price ?? undefined,
  };
}

function fromRelay(body: KlingRelayBody, raw: Record<string, unknown>, context: KlingNormalizeContext): KlingTaskEvent {
  const { data } = body;
  const status = RELAY_STATUS.get(body.event) ?? 'unknown';
  return {
    taskId: data.job_id,
    status,
    rawStatus: body.event,
    message: data.error ?? (body.event === 'video.cancelled' ? 'cancelled' : ''),
    createdAt: data.created_at ?? undefined,
    updatedAt: data.completed_at ?? body.timestamp ?? undefined,
    videos: relayVideos(data),
    images: [],
    audios: [],
    outputs: [],
    dialect: 'relay',
    deliveryId: context.deliveryId,
    raw,
    source: context.source ?? 'callback',
  };
}

function relayVideos(data: KlingRelayBody['data']): KlingTaskEvent['videos'] {
  const url = data.video_url ?? undefined;
  if (url === undefined) return [];
  return [{ id: data.job_id, url, duration: data.duration ?? undefined }];
}
