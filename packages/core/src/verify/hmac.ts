import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { KlingConfigError } from '../errors.js';
import { headerValue } from '../headers.js';
import { secretList } from './secrets.js';
import type { KlingVerifiableRequest, KlingVerifier, VerifyOutcome } from './types.js';

/** Options of {@link hmacSignature}. */
export interface HmacSignatureOptions {
  /** The shared secret, or several during a rotation (current one first): a signature made with any of them passes. */
  secrets: string | readonly string[];
  /** Header carrying `sha256=<hex>`, any case. Default `x-kling-signature`. */
  header?: string;
}

const NAME = 'hmac-signature';
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

function hmacSha256(key: KeyObject | string, rawBody: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(rawBody).digest();
}

class HmacVerifier implements KlingVerifier {
  readonly name = NAME;
  readonly #keys: readonly KeyObject[];
  /** One frozen pass per secret: which secret matched, without an allocation per request. */
  readonly #passes: readonly VerifyOutcome[];
  readonly #header: string;
  readonly #missing: VerifyOutcome;

  constructor(keys: readonly KeyObject[], header: string) {
    this.#keys = keys;
    this.#passes = keys.map((_, secretIndex) => Object.freeze({ ok: true, verifier: NAME, secretIndex }));
    this.#header = header;
    this.#missing = { ok: false, verifier: NAME, reason: `missing ${header} header` };
  }

  verify(request: KlingVerifiableRequest): VerifyOutcome {
    const value = headerValue(request.headers, this.#header);
    if (!value) return this.#missing;
    // The format is checked before any comparison, so a truncated signature fails here instead of making
    // timingSafeEqual throw on unequal lengths.
    const hex = SIGNATURE.exec(value)?.[1];
    if (hex === undefined)
      return { ok: false, verifier: NAME, reason: `${this.#header} is not sha256=<64 hex digits>` };
    const signature = Buffer.from(hex, 'hex');
    for (let i = 0; i < this.#keys.length; i++) {
      if (timingSafeEqual(hmacSha256(this.#keys[i]!, request.rawBody), signature)) return this.#passes[i]!;
    }
    return { ok: false, verifier: NAME, reason: 'no signature matched' };
  }
}

/**
 * Verifies `X-Kling-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`. Kling itself does not send this header
 * (see {@link klingSignature}); it is for relays and gateways in front of Kling that add it.
 *
 * @throws {@link KlingConfigError} when no secret or an empty header name is given.
 */
export function hmacSignature(options: HmacSignatureOptions): KlingVerifier {
  const header = (options.header ?? 'x-kling-signature').toLowerCase();
  if (header.length === 0) throw new KlingConfigError('hmacSignature: header must be a non-empty header name');
  const keys = secretList('hmacSignature', options.secrets).map((secret) => createSecretKey(Buffer.from(secret)));
  return new HmacVerifier(keys, header);
}

/** The `sha256=<hex>` value {@link hmacSignature} accepts for this body and secret. */
export function signBody(rawBody: string | Uint8Array, secret: string): string {
  secretList('signBody', secret);
  return `sha256=${hmacSha256(secret, rawBody).toString('hex')}`;
}
