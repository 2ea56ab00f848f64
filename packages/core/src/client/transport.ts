import { z } from 'zod';
import type { KlingLogger } from '../logger.js';
import { sleep } from '../platform/sleep.js';
import type { KlingAuthorizer } from './auth.js';
import { fullJitterDelay } from './backoff.js';
import { isRetryable, KlingApiError, KlingHttpError, type KlingRequestTarget, KlingTimeoutError } from './errors.js';

/**
 * Kling's response envelope (docs/kling-protocol.md §4), any `data` (errors carry none); `code` 0 is success. The
 * task-shaped `data` is then checked by `normalize`.
 */
export const klingEnvelopeSchema = z.looseObject({
  code: z.number().int(),
  message: z.string().nullish(),
  request_id: z.string().nullish(),
  data: z.unknown().optional(),
});

/** One API call. `query` is appended as written (ids are encoded by the caller, commas kept as Kling shows them). */
export interface KlingCall {
  method: 'GET' | 'POST';
  path: string;
  query?: string;
  body?: unknown;
}

/** The `data` of a successful answer, with Kling's request id. */
export interface KlingAnswer {
  data: unknown;
  requestId: string | undefined;
}

/** What the transport needs; the client fills in the defaults. */
export interface KlingTransportOptions {
  baseUrl: string;
  authorizer: KlingAuthorizer;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Retries after the first attempt, for GETs only. */
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  random: () => number;
  logger: KlingLogger;
}

/** Sends calls to Kling: auth header, timeout, envelope check, retries. */
export type KlingTransport = (call: KlingCall) => Promise<KlingAnswer>;

/**
 * Builds the transport. Only GETs are retried (on network errors, timeouts, 429 and 5xx): a POST that timed out may
 * have created the task, and creating it twice would bill twice. The one exception is a JWT Kling refused as expired
 * or not yet valid (1003, 1004), which is renewed and sent once more whatever the method: Kling rejected the request
 * before doing anything.
 */
export function createTransport(options: KlingTransportOptions): KlingTransport {
  const base = options.baseUrl.replace(/\/+$/, '');

  const attempt = async (call: KlingCall, target: KlingRequestTarget): Promise<KlingAnswer> => {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: await options.authorizer.header(),
    };
    if (call.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    const url = base + call.path + (call.query ? `?${call.query}` : '');
    let response: Response;
    let text: string;
    try {
      response = await options.fetch(url, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
        throw new KlingTimeoutError(target, options.timeoutMs, { cause: error });
      }
      throw new KlingHttpError(target, { reason: 'network error' }, { cause: error });
    }
    const retryAfterSec = parseRetryAfter(response.headers.get('retry-after'));
    const envelope = parseEnvelope(text);
    if (!envelope) {
      throw new KlingHttpError(target, {
        status: response.status,
        reason: response.ok ? 'the answer is not Kling JSON' : 'HTTP error',
        retryAfterSec,
      });
    }
    if (envelope.code !== 0) {
      throw new KlingApiError(target, {
        klingCode: envelope.code,
        status: response.status,
        requestId: envelope.request_id ?? undefined,
        message: envelope.message ?? '',
        retryAfterSec,
      });
    }
    if (!response.ok)
      throw new KlingHttpError(target, { status: response.status, reason: 'HTTP error', retryAfterSec });
    return { data: envelope.data, requestId: envelope.request_id ?? undefined };
  };

  return async (call) => {
    const target = { method: call.method, path: call.path };
    const maxRetries = call.method === 'GET' ? options.retries : 0;
    let renewedAuth = false;
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(call, target);
      } catch (error) {
        if (
          !renewedAuth &&
          error instanceof KlingApiError &&
          (error.klingCode === 1003 || error.klingCode === 1004) &&
          options.authorizer.invalidate()
        ) {
          renewedAuth = true;
          retry--;
          continue;
        }
        if (retry >= maxRetries || !isRetryable(error)) throw error;
        let delayMs = fullJitterDelay(retry, options.retryBaseMs, options.retryMaxMs, options.random);
        const retryAfterSec =
          error instanceof KlingHttpError || error instanceof KlingApiError ? error.retryAfterSec : undefined;
        if (retryAfterSec !== undefined)
          delayMs = Math.max(delayMs, Math.min(retryAfterSec * 1000, options.retryMaxMs));
        options.logger.debug('kling request failed, retrying', {
          ...target,
          retry: retry + 1,
          delayMs,
          code: error instanceof Error && 'code' in error ? error.code : undefined,
        });
        await sleep(delayMs);
      }
    }
  };
}

function parseEnvelope(text: string): z.infer<typeof klingEnvelopeSchema> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = klingEnvelopeSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}
