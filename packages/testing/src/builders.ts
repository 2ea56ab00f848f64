import { randomUUID } from 'node:crypto';
import type { KlingLegacyBodyInput, KlingNewBodyInput, KlingRelayBodyInput } from '@kling-webhooks/core/adapter';
import { randomId, randomTaskId } from './ids.js';

/** A task state as the legacy dialect spells it (the new dialect sends `succeeded` for `succeed`). */
export type CallbackStatus = 'submitted' | 'processing' | 'succeed' | 'failed';

/**
 * Which body shape to build: Kling's `legacy` flat body (`task_id`), its `new` flat body (`id`, `outputs[]`), the
 * seeds' unofficial `relay` envelope (`{event, data}`), or the `envelope` of a query response (`{code, data}`).
 */
export type CallbackDialect = 'legacy' | 'new' | 'relay' | 'envelope';

/** A generated video as a builder option; `duration` in seconds. */
export interface VideoResult {
  id?: string;
  url: string;
  duration?: number | string;
}

/** A generated image as a builder option. */
export interface ImageResult {
  index?: number;
  url: string;
}

/** Options of {@link buildCallback}. Everything is optional: the defaults make a realistic succeeded video task. */
export interface BuildCallbackOptions<D extends CallbackDialect = CallbackDialect> {
  /** Default `succeed`. */
  status?: CallbackStatus;
  /** Default `legacy`. */
  dialect?: D;
  /** For `envelope`: the dialect of the task inside `data`. Default `legacy`. */
  envelopeOf?: 'legacy' | 'new';
  /** Default: a random 18-digit id. */
  taskId?: string;
  /** Your own id, echoed as `task_info.external_task_id` (legacy) or `external_id` (new). */
  externalTaskId?: string;
  /** Status message. Default empty, or a realistic reason when `failed`. */
  message?: string;
  /** Unix ms. Default: a minute before `updatedAt`. */
  createdAt?: number;
  /** Unix ms. Default: now. */
  updatedAt?: number;
  /** What the task makes, when no `videos` / `images` are given. Default `video`. */
  kind?: 'video' | 'image';
  /** Results reported when the task succeeded. Default: one video (or image) on a CDN-like URL. */
  videos?: VideoResult[];
  /** @see videos */
  images?: ImageResult[];
  /** Whether a succeeded task reports what it cost. Default true. */
  billing?: boolean;
  /** Legacy only: the video a `video-extend` task extended. */
  parentVideo?: { id: string; url: string; duration: number | string };
  /** Extra fields of the task body (relay: of `data`). Kling adds fields over time: receivers must keep unknown ones. */
  extra?: Record<string, unknown>;
}

/**
 * Kling's legacy callback body (models chosen by `model_name`, endpoints under `/v1`): core's schema input, with the
 * id and status the builder always sets.
 */
export type LegacyCallbackBody = KlingLegacyBodyInput & { task_id: string; task_status: string };

/** Kling's new callback body (model in the path, e.g. `/image-to-video/kling-3.0`). */
export type NewCallbackBody = KlingNewBodyInput & { id: string; status: string };

/** The unofficial `{event, data}` envelope of the seeds, as relays and gateways in front of Kling send it. */
export type RelayCallbackBody = KlingRelayBodyInput & { event: string; data: { job_id: string } };

/** The `{code, message, request_id, data}` envelope of every Kling API answer (`code` 0 is success). */
export interface ApiEnvelope<T> {
  code: number;
  message: string;
  request_id: string;
  data: T;
}

/** The body type {@link buildCallback} returns for dialect `D`. */
export type CallbackBodyOf<D extends CallbackDialect> = D extends 'new'
  ? NewCallbackBody
  : D extends 'relay'
    ? RelayCallbackBody
    : D extends 'envelope'
      ? ApiEnvelope<LegacyCallbackBody | NewCallbackBody>
      : LegacyCallbackBody;

/** Any body {@link buildCallback} makes. */
export type CallbackBody = CallbackBodyOf<CallbackDialect>;

const relayEvents: Record<CallbackStatus, string> = {
  submitted: 'video.created',
  processing: 'video.processing',
  succeed: 'video.completed',
  failed: 'video.failed',
};

const defaultFailure = 'Failure to pass the risk control system';

interface Resolved {
  status: CallbackStatus;
  taskId: string;
  externalTaskId: string | undefined;
  message: string;
  createdAt: number;
  updatedAt: number;
  videos: { id: string; url: string; duration: string }[];
  images: { index: number; url: string }[];
  billing: boolean;
}

function resolve(options: BuildCallbackOptions): Resolved {
  const status = options.status ?? 'succeed';
  const taskId = options.taskId ?? randomTaskId();
  const updatedAt = options.updatedAt ?? Date.now();
  const succeeded = status === 'succeed';
  const kind = options.kind ?? (options.images && !options.videos ? 'image' : 'video');
  const videos =
    options.videos ??
    (kind === 'video' ? [{ url: `https://cdn.example.com/kling/${taskId}/0.mp4`, duration: '5.1' }] : []);
  const images =
    options.images ?? (kind === 'image' ? [{ index: 0, url: `https://cdn.example.com/kling/${taskId}/0.png` }] : []);
  return {
    status,
    taskId,
    externalTaskId: options.externalTaskId,
    message: options.message ?? (status === 'failed' ? defaultFailure : ''),
    createdAt: options.createdAt ?? updatedAt - 60_000,
    updatedAt,
    // Kling reports results only once a task succeeded.
    videos: succeeded
      ? videos.map((v) => ({ id: v.id ?? randomId('v-'), url: v.url, duration: String(v.duration ?? '5.1') }))
      : [],
    images: succeeded ? images.map((image, i) => ({ index: image.index ?? i, url: image.url })) : [],
    billing: succeeded && options.billing !== false,
  };
}

function legacyBody(r: Resolved, options: BuildCallbackOptions): LegacyCallbackBody {
  const body: LegacyCallbackBody = {
    task_id: r.taskId,
    task_status: r.status,
    task_status_msg: r.message,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
  const { parentVideo } = options;
  if (r.externalTaskId !== undefined || parentVideo) {
    body.task_info = {
      ...(r.externalTaskId !== undefined && { external_task_id: r.externalTaskId }),
      ...(parentVideo && { parent_video: { ...parentVideo, duration: String(parentVideo.duration) } }),
    };
  }
  if (r.videos.length > 0 || r.images.length > 0) {
    body.task_result = {
      ...(r.videos.length > 0 && { videos: r.videos }),
      ...(r.images.length > 0 && { images: r.images }),
    };
  }
  if (r.billing) {
    body.final_unit_deduction = '1';
    body.final_balance_deduction = { quota: '1', list_price: '0.49' };
  }
  return { ...body, ...options.extra };
}

function newBody(r: Resolved, options: BuildCallbackOptions): NewCallbackBody {
  const body: NewCallbackBody = {
    id: r.taskId,
    status: r.status === 'succeed' ? 'succeeded' : r.status,
    outputs: [
      ...r.videos.map((v) => ({ type: 'video' as const, ...v, watermark_url: watermarked(v.url) })),
      ...r.images.map((image) => ({
        type: 'image' as const,
        url: image.url,
        watermark_url: watermarked(image.url),
        group_id: '0',
      })),
    ],
    message: r.message,
    create_time: r.createdAt,
    update_time: r.updatedAt,
  };
  if (r.externalTaskId !== undefined) body.external_id = r.externalTaskId;
  if (r.billing) {
    body.billing = [
      {
        charge_type: 'generation',
        cash_type: 'resource_pack',
        amount: '1',
        currency: 'unit',
        package_type: 'video',
        list_price: '0.49',
      },
    ];
  }
  return { ...body, ...options.extra };
}

function relayBody(r: Resolved, options: BuildCallbackOptions): RelayCallbackBody {
  const terminal = r.status === 'succeed' || r.status === 'failed';
  const video = r.videos[0];
  const image = r.images[0];
  return {
    event: relayEvents[r.status],
    timestamp: new Date(r.updatedAt).toISOString(),
    data: {
      job_id: r.taskId,
      status: relayEvents[r.status].slice('video.'.length),
      created_at: new Date(r.createdAt).toISOString(),
      ...(terminal && { completed_at: new Date(r.updatedAt).toISOString() }),
      ...(r.externalTaskId !== undefined && { external_task_id: r.externalTaskId }),
      ...(video && { video_url: video.url, duration: Number(video.duration) }),
      ...(image && { image_url: image.url }),
      ...(r.status === 'failed' && { error: r.message }),
      ...options.extra,
    },
  };
}

function watermarked(url: string): string {
  return url.replace(/(\.[a-z0-9]+)$/i, '-wm$1');
}

/**
 * Builds a realistic callback body of any shape Kling (or a relay in front of it) sends.
 *
 * @example
 * ```ts
 * buildCallback({ status: 'succeed', dialect: 'new', externalTaskId: 'order-42' });
 * // { id: '8672…', status: 'succeeded', outputs: [{ type: 'video', … }], external_id: 'order-42', … }
 * ```
 */
export function buildCallback<D extends CallbackDialect = 'legacy'>(
  options: BuildCallbackOptions<D> = {},
): CallbackBodyOf<D> {
  const r = resolve(options);
  const dialect: CallbackDialect = options.dialect ?? 'legacy';
  let body: CallbackBody;
  switch (dialect) {
    case 'new':
      body = newBody(r, options);
      break;
    case 'relay':
      body = relayBody(r, options);
      break;
    case 'envelope':
      body = envelope(options.envelopeOf === 'new' ? newBody(r, options) : legacyBody(r, options));
      break;
    default:
      body = legacyBody(r, options);
  }
  return body as CallbackBodyOf<D>;
}

/** {@link buildCallback} as the JSON string a receiver gets (sign this exact string). */
export function callbackBody(options: BuildCallbackOptions = {}): string {
  return JSON.stringify(buildCallback(options));
}

/** Wraps `data` in the `{code: 0, message, request_id, data}` envelope of a successful Kling API response. */
export function envelope<T>(data: T, requestId: string = randomUUID()): ApiEnvelope<T> {
  return { code: 0, message: 'SUCCEED', request_id: requestId, data };
}
