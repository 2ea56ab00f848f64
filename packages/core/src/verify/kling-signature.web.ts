import { KlingConfigError } from '../errors.js';
import { bytesOf, type CryptoKey, fromBase64, importHmacKey, toBase64, utf8 } from '../platform/web-crypto.js';
import {
  type KlingSignatureOptions,
  type KlingWebhookHeaders,
  listsSignature,
  NAME,
  NO_MATCH,
  passed,
  type SignKlingWebhookInput,
  signedParts,
  signingKeyBase64,
  toleranceOf,
} from './kling-signature-scheme.js';
import { secretList } from './secrets.js';
import type { KlingVerifiableRequest, KlingVerifier, VerifyOutcome } from './types.js';

export type { KlingSignatureOptions, KlingWebhookHeaders, SignKlingWebhookInput } from './kling-signature-scheme.js';

/** `id.timestamp.` followed by the body, the bytes Kling signs. */
function signedBytes(id: string, timestamp: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = utf8(`${id}.${timestamp}.`);
  const bytes = new Uint8Array(prefix.byteLength + body.byteLength);
  bytes.set(prefix);
  bytes.set(body, prefix.byteLength);
  return bytes;
}

class WebKlingSignatureVerifier implements KlingVerifier {
  readonly name = NAME;
  readonly #keys: Promise<readonly CryptoKey[]>;
  readonly #toleranceSec: number;
  readonly #now: () => number;

  constructor(keys: Promise<readonly CryptoKey[]>, toleranceSec: number, now: () => number) {
    this.#keys = keys;
    this.#toleranceSec = toleranceSec;
    this.#now = now;
  }

  async verify(request: KlingVerifiableRequest): Promise<VerifyOutcome> {
    const parts = signedParts(request, this.#toleranceSec, this.#now());
    if ('ok' in parts) return parts;
    const data = signedBytes(parts.id, parts.timestamp, bytesOf(request.rawBody));
    const keys = await this.#keys;
    for (let i = 0; i < keys.length; i++) {
      // The header is compared as text, like the node:crypto verifier: only the canonical base64 of the HMAC matches.
      const expected = toBase64(
        new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', keys[i] as CryptoKey, data)),
      );
      if (listsSignature(parts.signatures, expected)) return passed(i);
    }
    return NO_MATCH;
  }
}

/**
 * Verifies Kling's own callback signature (Standard Webhooks) with Web Crypto: the build for Workers and edge
 * runtimes, where node:crypto is missing. Same headers, same rules as the node:crypto verifier.
 *
 * @throws {@link KlingConfigError} when no secret is given or a secret is not `whsec_` + base64.
 */
export function klingSignature(options: KlingSignatureOptions): KlingVerifier {
  const toleranceSec = toleranceOf(options);
  const raw = secretList('klingSignature', options.secrets).map((secret, i) =>
    fromBase64(signingKeyBase64('klingSignature', secret, i)),
  );
  const keys = Promise.all(raw.map(importHmacKey));
  // Importing a non-empty HMAC key cannot fail; the catch only keeps an impossible rejection unhandled-free.
  keys.catch(() => undefined);
  return new WebKlingSignatureVerifier(keys, toleranceSec, options.now ?? Date.now);
}

/**
 * Not available in this build: signing is synchronous and needs node:crypto (Node, Bun, Deno).
 *
 * @throws {@link KlingConfigError} always.
 */
export function signKlingWebhook(_input: SignKlingWebhookInput): KlingWebhookHeaders {
  throw new KlingConfigError(
    'signKlingWebhook needs node:crypto: sign in Node, Bun or Deno (this is the build for Workers and edge runtimes)',
  );
}
