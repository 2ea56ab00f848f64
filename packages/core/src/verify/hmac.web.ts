import { KlingConfigError } from '../errors.js';
import { headerValue } from '../headers.js';
import { bytesOf, type CryptoKey, fromHex, importHmacKey, utf8 } from '../platform/web-crypto.js';
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

class WebHmacVerifier implements KlingVerifier {
  readonly name = NAME;
  readonly #keys: Promise<readonly CryptoKey[]>;
  readonly #header: string;
  readonly #missing: VerifyOutcome;

  constructor(keys: Promise<readonly CryptoKey[]>, header: string) {
    this.#keys = keys;
    this.#header = header;
    this.#missing = missing(header);
  }

  async verify(request: KlingVerifiableRequest): Promise<VerifyOutcome> {
    const value = headerValue(request.headers, this.#header);
    if (!value) return this.#missing;
    const hex = SIGNATURE.exec(value)?.[1];
    if (hex === undefined) return malformed(this.#header);
    const signature = fromHex(hex);
    const body = bytesOf(request.rawBody);
    const keys = await this.#keys;
    for (let i = 0; i < keys.length; i++) {
      // subtle.verify compares in constant time.
      if (await globalThis.crypto.subtle.verify('HMAC', keys[i] as CryptoKey, signature, body)) return passed(i);
    }
    return NO_MATCH;
  }
}

/**
 * Verifies `X-Kling-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>` with Web Crypto: the build for Workers
 * and edge runtimes, where node:crypto is missing.
 *
 * @throws {@link KlingConfigError} when no secret or an empty header name is given.
 */
export function hmacSignature(options: HmacSignatureOptions): KlingVerifier {
  const header = headerOf(options);
  const keys = Promise.all(secretList('hmacSignature', options.secrets).map((secret) => importHmacKey(utf8(secret))));
  keys.catch(() => undefined);
  return new WebHmacVerifier(keys, header);
}

/**
 * Not available in this build: signing is synchronous and needs node:crypto (Node, Bun, Deno).
 *
 * @throws {@link KlingConfigError} always.
 */
export function signBody(_rawBody: string | Uint8Array, _secret: string): string {
  throw new KlingConfigError(
    'signBody needs node:crypto: sign in Node, Bun or Deno (this is the build for Workers and edge runtimes)',
  );
}
