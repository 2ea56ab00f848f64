import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { headerValue } from '../headers.js';
import {
  type HmacSignatureOptions,
  headerOf,
  malformed,
  missing,
  NAME,
  NO_MATCH,
  passed,
  SIGNATURE,
} from './hmac-scheme.js';
import { secretList } from './secrets.js';
import type { KlingVerifiableRequest, KlingVerifier, VerifyOutcome } from './types.js';

export type { HmacSignatureOptions } from './hmac-scheme.js';

function hmacSha256(key: KeyObject | string, rawBody: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(rawBody).digest();
}

class HmacVerifier implements KlingVerifier {
  readonly name = NAME;
  readonly #keys: readonly KeyObject[];
  readonly #header: string;
  readonly #missing: VerifyOutcome;

  constructor(keys: readonly KeyObject[], header: string) {
    this.#keys = keys;
    this.#header = header;
    this.#missing = missing(header);
  }

  verify(request: KlingVerifiableRequest): VerifyOutcome {
    const value = headerValue(request.headers, this.#header);
    if (!value) return this.#missing;
    // The format is checked before any comparison, so a truncated signature fails here instead of making
    // timingSafeEqual throw on unequal lengths.
    const hex = SIGNATURE.exec(value)?.[1];
    if (hex === undefined) return malformed(this.#header);
    const signature = Buffer.from(hex, 'hex');
    for (let i = 0; i < this.#keys.length; i++) {
      if (timingSafeEqual(hmacSha256(this.#keys[i] as KeyObject, request.rawBody), signature)) return passed(i);
    }
    return NO_MATCH;
  }
}

/**
 * Verifies `X-Kling-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`. Kling itself does not send this header
 * (see {@link klingSignature}); it is for relays and gateways in front of Kling that add it.
 *
 * @throws {@link KlingConfigError} when no secret or an empty header name is given.
 */
export function hmacSignature(options: HmacSignatureOptions): KlingVerifier {
  const header = headerOf(options);
  const keys = secretList('hmacSignature', options.secrets).map((secret) => createSecretKey(Buffer.from(secret)));
  return new HmacVerifier(keys, header);
}

/**
 * The `sha256=<hex>` value {@link hmacSignature} accepts for this body and secret. Node, Bun and Deno only (it signs
 * synchronously with node:crypto): the build for Workers and edge runtimes throws `KlingConfigError`.
 */
export function signBody(rawBody: string | Uint8Array, secret: string): string {
  secretList('signBody', secret);
  return `sha256=${hmacSha256(secret, rawBody).toString('hex')}`;
}
