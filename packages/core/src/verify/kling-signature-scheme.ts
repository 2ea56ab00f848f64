import { KlingConfigError } from '../errors.js';
import { headerValue } from '../headers.js';
import type { KlingVerifiableRequest, VerifyOutcome } from './types.js';

// What Kling's signature scheme (Standard Webhooks) is, apart from the HMAC itself: shared by the node:crypto
// verifier (kling-signature.ts) and the Web Crypto one (kling-signature.web.ts), so both read headers alike.

/** Options of {@link klingSignature}. */
export interface KlingSignatureOptions {
  /** Kling's Webhook Secret (`whsec_…`), or several during a rotation: a signature made with any of them passes. */
  secrets: string | readonly string[];
  /** How far `webhook-timestamp` may be from now, either way, in seconds. Default 300. */
  toleranceSec?: number;
  /** Current time in milliseconds; inject it in tests. Default `Date.now`. */
  now?: () => number;
}

/** The three headers Kling sends with a signed callback. A type alias, not an interface, so it fits `KlingHeaders`. */
export type KlingWebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** Input of {@link signKlingWebhook}. */
export interface SignKlingWebhookInput {
  /** The `whsec_` secret to sign with. */
  secret: string;
  /** The exact body that will be sent. */
  body: string | Uint8Array;
  /** `webhook-id`; default a fresh `msg_…` id. */
  id?: string;
  /** `webhook-timestamp` in Unix seconds; default now. */
  timestamp?: number;
}

export const NAME = 'kling-signature';
const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// A timestamp the sender wrote as the plain decimal it signed: used as it is, without allocating its canonical form.
const CANONICAL_SECONDS = /^[1-9][0-9]{0,15}$/;
const V1 = 'v1,';

/** The base64 text of the HMAC key inside a `whsec_` secret (the caller decodes it). */
export function signingKeyBase64(factory: string, secret: string, index: number): string {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    throw new KlingConfigError(`${factory}: secret #${index + 1} is not "whsec_" followed by base64`);
  }
  return encoded;
}

/** `toleranceSec` as given, checked. */
export function toleranceOf(options: KlingSignatureOptions): number {
  const toleranceSec = options.toleranceSec ?? 300;
  if (!Number.isFinite(toleranceSec) || toleranceSec < 0) {
    throw new KlingConfigError('klingSignature: toleranceSec must be a number of seconds ≥ 0');
  }
  return toleranceSec;
}

/** `signKlingWebhook`'s timestamp, checked, as the text that is signed. */
export function signingTimestamp(timestamp: number | undefined): string {
  const seconds = timestamp ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new KlingConfigError('signKlingWebhook: timestamp must be whole Unix seconds');
  }
  return String(seconds);
}

/** Whether `text` holds `expected` at `at`, compared in time independent of where they differ. */
function equalAt(text: string, at: number, expected: string): boolean {
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= text.charCodeAt(at + i) ^ expected.charCodeAt(i);
  return diff === 0;
}

/**
 * Whether the `webhook-signature` header lists `expected` (canonical base64) as a v1 signature, read as the reference
 * Standard Webhooks library reads it: entries separated by single spaces, each `version,signature[,anything]`, the
 * signature compared as text, so only the canonical base64 of the HMAC matches (no other padding, no other trailing
 * bits). Two header lines joined by Node as `v1,a, v1,b` are two entries (`v1,a,` and `v1,b`), both readable. Scans in
 * place: no array or string per entry.
 */
export function listsSignature(header: string, expected: string): boolean {
  for (let start = 0; start <= header.length; ) {
    const space = header.indexOf(' ', start);
    const end = space === -1 ? header.length : space;
    if (header.startsWith(V1, start)) {
      const from = start + V1.length;
      const comma = header.indexOf(',', from);
      const to = comma === -1 || comma > end ? end : comma;
      if (to - from === expected.length && equalAt(header, from, expected)) return true;
    }
    start = end + 1;
  }
  return false;
}

/** What a signature is checked against once the headers passed. */
export interface SignedParts {
  id: string;
  /** The timestamp as it was signed. */
  timestamp: string;
  /** The `webhook-signature` header. */
  signatures: string;
}

/** The headers of a request, checked (present, timestamp within tolerance, a v1 entry); a failed outcome if not. */
export function signedParts(
  request: KlingVerifiableRequest,
  toleranceSec: number,
  nowMs: number,
): SignedParts | VerifyOutcome {
  const { headers } = request;
  const id = headerValue(headers, 'webhook-id');
  if (!id) return fail('missing webhook-id header');
  const timestamp = headerValue(headers, 'webhook-timestamp');
  if (!timestamp) return fail('missing webhook-timestamp header');
  const signatures = headerValue(headers, 'webhook-signature');
  if (!signatures) return fail('missing webhook-signature header');

  // Read as the reference library reads it (parseInt): leading digits count, and the number, not the header's text,
  // is what was signed, so "0001781080794" and "1781080794.5" stand for the signature over "1781080794".
  const seconds = Number.parseInt(timestamp, 10);
  if (!Number.isSafeInteger(seconds)) return fail('webhook-timestamp is not a number of Unix seconds');
  const nowSec = Math.floor(nowMs / 1000);
  if (Math.abs(nowSec - seconds) > toleranceSec) return fail('timestamp outside tolerance');
  if (!signatures.includes(V1)) return fail('no v1 signature in webhook-signature header');
  return { id, timestamp: CANONICAL_SECONDS.test(timestamp) ? timestamp : String(seconds), signatures };
}

/** What a pass with the secret at `secretIndex` answers: one frozen object per index, made once. */
const PASSES: VerifyOutcome[] = [];
export function passed(secretIndex: number): VerifyOutcome {
  PASSES[secretIndex] ??= Object.freeze({ ok: true, verifier: NAME, secretIndex });
  return PASSES[secretIndex] as VerifyOutcome;
}
export const NO_MATCH: VerifyOutcome = fail('no signature matched');

function fail(reason: string): VerifyOutcome {
  return { ok: false, verifier: NAME, reason };
}
