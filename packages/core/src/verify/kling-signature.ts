import { createHmac, createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import { KlingConfigError } from '../errors.js';
import { headerValue } from '../headers.js';
import { secretList } from './secrets.js';
import type { KlingVerifiableRequest, KlingVerifier, VerifyOutcome } from './types.js';

/** Options of {@link klingSignature}. */
export interface KlingSignatureOptions {
  /**
   * Kling's Webhook Secret (`whsec_…`), or several during a rotation: a signature made with any of them passes. List
   * the current secret first: a request verified by a later (old) one is logged as a warning once a day.
   */
  secrets: string | readonly string[];
  /** How far `webhook-timestamp` may be from now, either way, in seconds. Default 300. */
  toleranceSec?: number;
  /** Current time in milliseconds; inject it in tests. Default `Date.now`. */
  now?: () => number;
}

const NAME = 'kling-signature';
const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// A timestamp the sender wrote as the plain decimal it signed: used as it is, without allocating its canonical form.
const CANONICAL_SECONDS = /^[1-9][0-9]{0,15}$/;
const V1 = 'v1,';

/** The HMAC key behind a `whsec_` secret: the base64 after the prefix, decoded. */
function signingKey(factory: string, secret: string, index: number): KeyObject {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    throw new KlingConfigError(`${factory}: secret #${index + 1} is not "whsec_" followed by base64`);
  }
  return createSecretKey(Buffer.from(encoded, 'base64'));
}

function sign(key: KeyObject, id: string, timestamp: string, body: Uint8Array | string): Buffer {
  // Prefix and body go in separately: the body's bytes are signed as received, never decoded or copied.
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
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
function listsSignature(header: string, expected: string): boolean {
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

class KlingSignatureVerifier implements KlingVerifier {
  readonly name = NAME;
  readonly #keys: readonly KeyObject[];
  /** One frozen pass per secret: which secret matched, without an allocation per request. */
  readonly #passes: readonly VerifyOutcome[];
  readonly #toleranceSec: number;
  readonly #now: () => number;

  constructor(keys: readonly KeyObject[], toleranceSec: number, now: () => number) {
    this.#keys = keys;
    this.#passes = keys.map((_, secretIndex) => Object.freeze({ ok: true, verifier: NAME, secretIndex }));
    this.#toleranceSec = toleranceSec;
    this.#now = now;
  }

  verify(request: KlingVerifiableRequest): VerifyOutcome {
    const { headers } = request;
    const id = headerValue(headers, 'webhook-id');
    if (!id) return fail('missing webhook-id header');
    const timestamp = headerValue(headers, 'webhook-timestamp');
    if (!timestamp) return fail('missing webhook-timestamp header');
    const signatureHeader = headerValue(headers, 'webhook-signature');
    if (!signatureHeader) return fail('missing webhook-signature header');

    // Read as the reference library reads it (parseInt): leading digits count, and the number, not the header's text,
    // is what was signed, so "0001781080794" and "1781080794.5" stand for the signature over "1781080794".
    const seconds = Number.parseInt(timestamp, 10);
    if (!Number.isSafeInteger(seconds)) return fail('webhook-timestamp is not a number of Unix seconds');
    const nowSec = Math.floor(this.#now() / 1000);
    if (Math.abs(nowSec - seconds) > this.#toleranceSec) return fail('timestamp outside tolerance');
    const signedTimestamp = CANONICAL_SECONDS.test(timestamp) ? timestamp : String(seconds);

    if (!signatureHeader.includes(V1)) return fail('no v1 signature in webhook-signature header');
    for (let i = 0; i < this.#keys.length; i++) {
      const expected = sign(this.#keys[i]!, id, signedTimestamp, request.rawBody).toString('base64');
      if (listsSignature(signatureHeader, expected)) return this.#passes[i]!;
    }
    return fail('no signature matched');
  }
}

function fail(reason: string): VerifyOutcome {
  return { ok: false, verifier: NAME, reason };
}

/**
 * Verifies Kling's own callback signature (Standard Webhooks): `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` headers, HMAC-SHA256 over `id.timestamp.rawBody` with the key inside the `whsec_` secret.
 * The recommended verifier whenever a Webhook Secret is set in Kling's console.
 *
 * @throws {@link KlingConfigError} when no secret is given or a secret is not `whsec_` + base64.
 * @example
 * ```ts
 * const verify = klingSignature({ secrets: [process.env.KLING_WEBHOOK_SECRET!] });
 * ```
 */
export function klingSignature(options: KlingSignatureOptions): KlingVerifier {
  const toleranceSec = options.toleranceSec ?? 300;
  if (!Number.isFinite(toleranceSec) || toleranceSec < 0) {
    throw new KlingConfigError('klingSignature: toleranceSec must be a number of seconds ≥ 0');
  }
  const keys = secretList('klingSignature', options.secrets).map((secret, i) =>
    signingKey('klingSignature', secret, i),
  );
  return new KlingSignatureVerifier(keys, toleranceSec, options.now ?? Date.now);
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

/**
 * Signs a body the way Kling does, for tests, the testing kit and relays.
 *
 * @throws {@link KlingConfigError} when the secret is not `whsec_` + base64 or the timestamp is not whole seconds.
 */
export function signKlingWebhook(input: SignKlingWebhookInput): KlingWebhookHeaders {
  const key = signingKey('signKlingWebhook', secretList('signKlingWebhook', input.secret)[0]!, 0);
  const id = input.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
  const seconds = input.timestamp ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new KlingConfigError('signKlingWebhook: timestamp must be whole Unix seconds');
  }
  const timestamp = String(seconds);
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${sign(key, id, timestamp, input.body).toString('base64')}`,
  };
}
