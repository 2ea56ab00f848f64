import { createHmac, createSecretKey, type KeyObject, randomUUID, timingSafeEqual } from 'node:crypto';
import { KlingConfigError } from '../errors.js';
import { headerValue } from '../headers.js';
import { secretList } from './secrets.js';
import type { KlingVerifiableRequest, KlingVerifier, VerifyOutcome } from './types.js';

/** Options of {@link klingSignature}. */
export interface KlingSignatureOptions {
  /** Kling's Webhook Secret (`whsec_…`), or several during a rotation: a signature made with any of them passes. */
  secrets: string | readonly string[];
  /** How far `webhook-timestamp` may be from now, either way, in seconds. Default 300. */
  toleranceSec?: number;
  /** Current time in milliseconds; inject it in tests. Default `Date.now`. */
  now?: () => number;
}

const NAME = 'kling-signature';
const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// Unix seconds as plain digits: a sign, a fraction or an exponent is not a timestamp Kling sends.
const TIMESTAMP = /^[0-9]{1,12}$/;
const SHA256_BYTES = 32;

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

/** The `v1,` signatures of a `webhook-signature` header, decoded; other versions and malformed entries are skipped. */
function v1Signatures(header: string): Buffer[] {
  const signatures: Buffer[] = [];
  for (const entry of header.split(' ')) {
    if (!entry.startsWith('v1,')) continue;
    const encoded = entry.slice(3);
    if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) continue;
    const signature = Buffer.from(encoded, 'base64');
    if (signature.length === SHA256_BYTES) signatures.push(signature);
  }
  return signatures;
}

class KlingSignatureVerifier implements KlingVerifier {
  readonly name = NAME;
  readonly #keys: readonly KeyObject[];
  readonly #toleranceSec: number;
  readonly #now: () => number;

  constructor(keys: readonly KeyObject[], toleranceSec: number, now: () => number) {
    this.#keys = keys;
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

    if (!TIMESTAMP.test(timestamp)) return fail('webhook-timestamp is not an integer of Unix seconds');
    const nowSec = Math.floor(this.#now() / 1000);
    if (Math.abs(nowSec - Number(timestamp)) > this.#toleranceSec) return fail('timestamp outside tolerance');

    const signatures = v1Signatures(signatureHeader);
    if (signatures.length === 0) return fail('no v1 signature in webhook-signature header');
    for (const key of this.#keys) {
      const expected = sign(key, id, timestamp, request.rawBody);
      for (const signature of signatures) {
        if (timingSafeEqual(expected, signature)) return { ok: true, verifier: NAME };
      }
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
