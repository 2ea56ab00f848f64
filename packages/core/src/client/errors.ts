import { KlingWebhookError } from '../errors.js';

/** The family of a Kling service code, from Kling's error-code table (docs/kling-protocol.md §4). */
export type KlingApiErrorCategory = 'auth' | 'account' | 'params' | 'policy' | 'server' | 'unknown';

/** Which family a Kling service code belongs to. */
export function klingErrorCategory(klingCode: number): KlingApiErrorCategory {
  if (klingCode >= 1000 && klingCode <= 1004) return 'auth';
  if (klingCode >= 1100 && klingCode <= 1103) return 'account';
  if (klingCode >= 1200 && klingCode <= 1203) return 'params';
  if (klingCode >= 1300 && klingCode <= 1304) return 'policy';
  if (klingCode >= 5000 && klingCode <= 5002) return 'server';
  return 'unknown';
}

// Kling answers HTTP 429 for an empty balance (1101, 1102) and an IP whitelist block (1304) too: only the rate and
// concurrency limits and the server codes go away by waiting.
const transientCodes = new Set([1302, 1303, 5000, 5001, 5002]);

/** Where a request went, for error messages: method and path only (bodies carry callback tokens). */
export interface KlingRequestTarget {
  method: string;
  path: string;
}

/**
 * Kling answered with a non-zero `code` in its `{code, message, request_id, data}` envelope. `klingCode` is Kling's
 * service code (1000–1004 auth, 1100–1103 account, 1200–1203 parameters, 1300–1304 policy and limits, 5000–5002
 * server), `category` its family, `status` the HTTP status it came with.
 */
export class KlingApiError extends KlingWebhookError {
  readonly klingCode: number;
  readonly category: KlingApiErrorCategory;
  /** HTTP status of the answer (Kling pairs codes with 401, 403, 404, 429, 5xx). */
  readonly status: number;
  /** Kling's `request_id`: quote it to Kling support. */
  readonly requestId: string | undefined;
  /** Kling's own message, as sent. */
  readonly klingMessage: string;
  /** Waiting and asking again may succeed (rate limit, concurrency limit, server error). */
  readonly retryable: boolean;
  /** Seconds from a `Retry-After` header, when Kling sent one. */
  readonly retryAfterSec: number | undefined;

  constructor(
    target: KlingRequestTarget,
    init: {
      klingCode: number;
      status: number;
      requestId?: string | undefined;
      message: string;
      retryAfterSec?: number | undefined;
    },
  ) {
    const category = klingErrorCategory(init.klingCode);
    super(
      `KLING_API_${category.toUpperCase()}`,
      `Kling answered ${target.method} ${target.path} with code ${init.klingCode} (${category}, HTTP ${init.status})` +
        (init.message ? `: ${init.message}` : ''),
    );
    this.klingCode = init.klingCode;
    this.category = category;
    this.status = init.status;
    this.requestId = init.requestId;
    this.klingMessage = init.message;
    this.retryable = transientCodes.has(init.klingCode) || init.status >= 500;
    this.retryAfterSec = init.retryAfterSec;
  }
}

/**
 * The request failed below Kling's envelope: the network failed (`status` undefined), or the answer was an HTTP
 * error or not Kling's JSON envelope (a proxy's HTML page, an empty body).
 */
export class KlingHttpError extends KlingWebhookError {
  /** HTTP status, or `undefined` when no answer arrived. */
  readonly status: number | undefined;
  /** A network failure, HTTP 429 or a 5xx: waiting and asking again may succeed. */
  readonly retryable: boolean;
  /** Seconds from a `Retry-After` header, when the server sent one. */
  readonly retryAfterSec: number | undefined;

  constructor(
    target: KlingRequestTarget,
    init: { status?: number | undefined; reason: string; retryAfterSec?: number | undefined },
    options?: { cause?: unknown },
  ) {
    super(
      'KLING_HTTP',
      `${target.method} ${target.path} failed: ${init.reason}` +
        (init.status === undefined ? '' : ` (HTTP ${init.status})`),
      options,
    );
    this.status = init.status;
    this.retryAfterSec = init.retryAfterSec;
    this.retryable = init.status === undefined || init.status === 429 || init.status >= 500;
  }
}

/** Kling did not answer within `timeoutMs`. */
export class KlingTimeoutError extends KlingWebhookError {
  readonly timeoutMs: number;

  constructor(target: KlingRequestTarget, timeoutMs: number, options?: { cause?: unknown }) {
    super('KLING_TIMEOUT', `${target.method} ${target.path} got no answer within ${timeoutMs} ms`, options);
    this.timeoutMs = timeoutMs;
  }
}

/** A task query answered, but without the task asked for (unknown id, or a task of another account). */
export class KlingTaskNotFoundError extends KlingWebhookError {
  readonly id: string;

  constructor(product: string, id: string) {
    super('KLING_TASK_NOT_FOUND', `Kling knows no task ${id} on ${product}`);
    this.id = id;
  }
}

/** Whether asking again later may succeed. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof KlingTimeoutError) return true;
  if (error instanceof KlingApiError || error instanceof KlingHttpError) return error.retryable;
  return false;
}
