import { signBody, signCallbackUrl, signKlingWebhook } from '@kling-webhooks/core';

/** Options of {@link signedRequest}. Give any combination of secrets; none gives an unsigned request. */
export interface SignedRequestOptions {
  /** Where the callback goes. */
  url: string;
  /** The body: an object is serialized with `JSON.stringify`, a string is sent byte for byte. */
  body: unknown;
  /** Signs like Kling does (Standard Webhooks `webhook-*` headers) with this `whsec_` secret. */
  webhookSecret?: string;
  /** Adds a callback token (`?token=`) signed with this secret to the URL, as `signCallbackUrl` does at task creation. */
  tokenSecret?: string;
  /** Adds the unofficial `X-Kling-Signature: sha256=<hex>` header of relays. */
  hmacSecret?: string;
  /** `webhook-id` to sign with. Default: a fresh one per request (as Kling sends). */
  webhookId?: string;
  /** `webhook-timestamp` (Unix seconds) to sign with. Default: now. */
  timestamp?: number;
  /** External task id the token is bound to. Default: the body's own external task id, if it has one. */
  externalTaskId?: string;
  /** Task id the token is bound to. Default: none (Kling assigns it after the URL was made). */
  taskId?: string;
  /** Extra headers, sent as given (after the signature headers, so they can overwrite them). */
  headers?: Record<string, string>;
}

/** A request ready for `fetch`: the exact bytes and the headers they were signed with. */
export interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The external task id a body carries, in any dialect. */
function externalIdOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const inner = (record.data ?? record) as Record<string, unknown> | undefined;
  const info = inner?.task_info as Record<string, unknown> | undefined;
  const id = info?.external_task_id ?? inner?.external_id ?? inner?.external_task_id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Builds a callback request signed the way Kling signs it (`webhookSecret`), with a callback token in the URL
 * (`tokenSecret`), with the relays' HMAC header (`hmacSecret`), or any mix of these.
 */
export async function signedRequest(options: SignedRequestOptions): Promise<SignedRequest> {
  const body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  let url = options.url;
  if (options.webhookSecret !== undefined) {
    Object.assign(
      headers,
      await signKlingWebhook({
        secret: options.webhookSecret,
        body,
        id: options.webhookId,
        timestamp: options.timestamp,
      }),
    );
  }
  if (options.hmacSecret !== undefined) headers['x-kling-signature'] = await signBody(body, options.hmacSecret);
  if (options.tokenSecret !== undefined) {
    url = await signCallbackUrl(url, {
      secret: options.tokenSecret,
      externalTaskId: options.externalTaskId ?? externalIdOf(options.body),
      taskId: options.taskId,
    });
  }
  return { url, headers: { ...headers, ...options.headers }, body };
}

/** Options of {@link sendCallback}: those of {@link signedRequest} without the URL, plus a timeout. */
export interface SendCallbackOptions extends Omit<SignedRequestOptions, 'url'> {
  /** Give up after this long. Default 10 000 ms. */
  timeoutMs?: number;
}

/** What the receiver answered, and how long it took. */
export interface CallbackAnswer {
  status: number;
  /** The response body as text. */
  body: string;
  /** Milliseconds from sending to the end of the response. */
  ms: number;
}

/**
 * Signs (see {@link signedRequest}) and POSTs one callback to `url` with `fetch`. Rejects only when no answer came
 * (connection refused, timeout); every HTTP status resolves.
 */
export async function sendCallback(url: string, options: SendCallbackOptions): Promise<CallbackAnswer> {
  const request = await signedRequest({ ...options, url });
  const started = performance.now();
  const response = await fetch(request.url, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  return { status: response.status, body: text, ms: Math.round(performance.now() - started) };
}
