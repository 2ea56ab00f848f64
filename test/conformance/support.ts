import { createHmac, randomBytes, randomInt } from 'node:crypto';
import {
  callbackToken,
  hmacSignature,
  type KlingTaskEvent,
  type KlingVerifyOption,
  klingSignature,
  signBody,
  signCallbackUrl,
  signKlingWebhook,
} from '@kling-webhooks/core';
import { afterAll, beforeAll } from 'vitest';
import type { ConformanceApp, ConformanceHandlers, ConformanceStartOptions, ConformanceTarget } from './target.js';

/** Where every app of the suite mounts the adapter. */
export const CALLBACK_PATH = '/webhooks/kling';
/** Short, so the slow-handler case is quick; the other handlers finish far inside it. */
export const ACK_TIMEOUT_MS = 300;
export const MAX_BODY_BYTES = 4096;

export const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
export const TOKEN_SECRET = randomBytes(32).toString('hex');
export const HMAC_SECRET = randomBytes(32).toString('hex');

/** Every verifier at once ("any of"): each request of the suite carries one kind of credential. */
export function suiteVerify(): KlingVerifyOption {
  return [
    klingSignature({ secrets: [WEBHOOK_SECRET] }),
    callbackToken({ secret: TOKEN_SECRET }),
    hmacSignature({ secrets: [HMAC_SECRET] }),
  ];
}

/** An 18-digit Kling task id, as a string. */
export function taskId(): string {
  return `8${String(randomInt(1e8, 1e9))}${String(randomInt(1e8, 1e9))}`;
}

/** Kling's legacy callback body. */
export function legacyBody(id: string, status: string, extra: Record<string, unknown> = {}): string {
  const result =
    status === 'succeed'
      ? { task_result: { videos: [{ id: `v-${id}`, url: `https://cdn.example.com/${id}.mp4`, duration: '5.1' }] } }
      : {};
  return JSON.stringify({
    task_id: id,
    task_status: status,
    task_status_msg: status === 'failed' ? 'content policy' : '',
    created_at: 1774805076166,
    updated_at: 1774805190123,
    ...result,
    ...extra,
  });
}

/** Kling's new-dialect callback body. */
export function newBody(id: string, status: string): string {
  return JSON.stringify({
    id,
    status,
    outputs: [],
    message: '',
    create_time: 1785901861504,
    update_time: 1785901861504,
  });
}

export type Credential =
  /** Kling's own signature; a fixed `id` and `timestamp` give the same headers every time (a redelivery). */
  | { kind: 'kling'; secret?: string; id?: string; timestamp?: number }
  /** A callback token in the URL; `expired` makes one whose `exp` has passed (signCallbackUrl refuses to). */
  | { kind: 'token'; secret?: string; expired?: boolean; externalTaskId?: string }
  | { kind: 'hmac'; secret?: string }
  | { kind: 'none' };

/** An HS256 callback token, valid but for its `exp` an hour ago. */
function expiredToken(secret: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ aud: 'kling-callback', iat: now - 7200, exp: now - 3600 })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** What `send` posts. */
export interface SendOptions {
  /** Default: a Kling signature with the suite's secret. */
  credential?: Credential;
  method?: string;
  contentType?: string;
  /** Replaces the body after signing (to send bytes that do not match the signature). */
  tamper?: (body: string) => string;
  /** Streams the body in chunks without a content-length. */
  chunked?: boolean;
}

/** Posts `body` to the callback route, signed as `credential` says; resolves with the response and its JSON. */
export async function send(
  baseUrl: string,
  body: string,
  options: SendOptions = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> | undefined; ms: number }> {
  const credential = options.credential ?? { kind: 'kling' };
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json; charset=utf-8' };
  let url = `${baseUrl}${CALLBACK_PATH}`;
  switch (credential.kind) {
    case 'kling':
      Object.assign(
        headers,
        signKlingWebhook({
          secret: credential.secret ?? WEBHOOK_SECRET,
          body,
          id: credential.id,
          timestamp: credential.timestamp,
        }),
      );
      break;
    case 'token':
      url = credential.expired
        ? `${url}?token=${expiredToken(credential.secret ?? TOKEN_SECRET)}`
        : await signCallbackUrl(url, {
            secret: credential.secret ?? TOKEN_SECRET,
            ...(credential.externalTaskId === undefined ? {} : { externalTaskId: credential.externalTaskId }),
          });
      break;
    case 'hmac':
      headers['x-kling-signature'] = signBody(body, credential.secret ?? HMAC_SECRET);
      break;
  }
  const sent = options.tamper ? options.tamper(body) : body;
  const started = performance.now();
  const response = await fetch(url, {
    method: options.method ?? 'POST',
    headers,
    body: options.method === 'GET' ? undefined : options.chunked ? chunks(sent) : sent,
    ...(options.chunked ? { duplex: 'half' } : {}),
  });
  const ms = performance.now() - started;
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, ms };
}

function chunks(body: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(body);
  const size = 1024;
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) controller.close();
      else {
        controller.enqueue(bytes.subarray(offset, offset + size));
        offset += size;
      }
    },
  });
}

/** What a task's handlers should do. */
interface Behaviour {
  /** Throw on the first `failTimes` calls. */
  failTimes?: number;
  /** Take this long. */
  delayMs?: number;
}

/**
 * Records which handler saw which task, in call order (`succeed`, `*`, ...), and makes a task's handlers fail or
 * dawdle on demand.
 */
export class Recorder {
  private readonly calls = new Map<string, string[]>();
  private readonly events = new Map<string, KlingTaskEvent>();
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly finished = new Map<string, () => void>();

  /** The handlers to start an app with. */
  handlers(): ConformanceHandlers {
    const handler = (name: string) => async (event: KlingTaskEvent) => {
      const calls = this.calls.get(event.taskId) ?? [];
      calls.push(name);
      this.calls.set(event.taskId, calls);
      this.events.set(event.taskId, event);
      const behaviour = this.behaviours.get(event.taskId);
      if (behaviour?.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
      if (behaviour?.failTimes !== undefined && behaviour.failTimes > 0) {
        behaviour.failTimes -= 1;
        throw new Error(`handler failure asked by the test for ${event.taskId}`);
      }
      this.finished.get(event.taskId)?.();
    };
    return {
      submitted: handler('submitted'),
      processing: handler('processing'),
      succeed: handler('succeed'),
      failed: handler('failed'),
      '*': handler('*'),
    };
  }

  /** The handlers that ran for a task so far. */
  callsOf(id: string): readonly string[] {
    return this.calls.get(id) ?? [];
  }

  /** The last event a handler of the task got. */
  lastEvent(id: string): KlingTaskEvent | undefined {
    return this.events.get(id);
  }

  /** Makes the handlers of a task fail or take time. */
  behave(id: string, behaviour: Behaviour): void {
    this.behaviours.set(id, behaviour);
  }

  /** Resolves when a handler of the task completes without throwing. */
  completion(id: string): Promise<void> {
    return new Promise((resolve) => this.finished.set(id, resolve));
  }
}

/**
 * Starts `target` before the tests of the enclosing `describe` (the suite's verifiers and limits, handlers recording
 * into a fresh {@link Recorder}, plus `options`) and closes it after them.
 */
export function useApp(target: ConformanceTarget, options: Partial<ConformanceStartOptions> = {}) {
  const recorder = new Recorder();
  let app: ConformanceApp | undefined;
  beforeAll(async () => {
    app = await target.start({
      path: CALLBACK_PATH,
      verify: suiteVerify(),
      ackTimeoutMs: ACK_TIMEOUT_MS,
      maxBodyBytes: MAX_BODY_BYTES,
      handlers: recorder.handlers(),
      ...options,
    });
  });
  afterAll(() => app?.close());
  return {
    recorder,
    /** The started app's base URL. */
    baseUrl(): string {
      if (app === undefined) throw new Error(`${target.name} did not start`);
      return app.baseUrl;
    },
  };
}
