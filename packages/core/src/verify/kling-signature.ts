import { createHmac, createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
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
  signingTimestamp,
  toleranceOf,
} from './kling-signature-scheme.js';
import { secretList } from './secrets.js';
import type { KlingVerifiableRequest, KlingVerifier, VerifyOutcome } from './types.js';

export type { KlingSignatureOptions, KlingWebhookHeaders, SignKlingWebhookInput } from './kling-signature-scheme.js';

/** The HMAC key behind a `whsec_` secret: the base64 after the prefix, decoded. */
function signingKey(factory: string, secret: string, index: number): KeyObject {
  return createSecretKey(Buffer.from(signingKeyBase64(factory, secret, index), 'base64'));
}

function sign(key: KeyObject, id: string, timestamp: string, body: Uint8Array | string): Buffer {
  // Prefix and body go in separately: the body's bytes are signed as received, never decoded or copied.
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
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
    const parts = signedParts(request, this.#toleranceSec, this.#now());
    if ('ok' in parts) return parts;
    for (let i = 0; i < this.#keys.length; i++) {
      const expected = sign(this.#keys[i] as KeyObject, parts.id, parts.timestamp, request.rawBody).toString('base64');
      if (listsSignature(parts.signatures, expected)) return passed(i);
    }
    return NO_MATCH;
  }
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
  const toleranceSec = toleranceOf(options);
  const keys = secretList('klingSignature', options.secrets).map((secret, i) =>
    signingKey('klingSignature', secret, i),
  );
  return new KlingSignatureVerifier(keys, toleranceSec, options.now ?? Date.now);
}

/**
 * Signs a body the way Kling does, for tests, the testing kit and relays. Node, Bun and Deno only (it signs
 * synchronously with node:crypto): the build for Workers and edge runtimes throws `KlingConfigError`.
 *
 * @throws {@link KlingConfigError} when the secret is not `whsec_` + base64 or the timestamp is not whole seconds.
 */
export function signKlingWebhook(input: SignKlingWebhookInput): KlingWebhookHeaders {
  const key = signingKey('signKlingWebhook', secretList('signKlingWebhook', input.secret)[0]!, 0);
  const id = input.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
  const timestamp = signingTimestamp(input.timestamp);
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${sign(key, id, timestamp, input.body).toString('base64')}`,
  };
}
