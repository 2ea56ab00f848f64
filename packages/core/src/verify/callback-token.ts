import type { KeyObject, webcrypto } from 'node:crypto';
import { errors, type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose';
import { KlingConfigError } from '../errors.js';
import { headerValue } from '../headers.js';
import { utf8Length } from '../platform/bytes.js';
import { secretList } from './secrets.js';
import { acceptedToken, tokenKeys } from './token-fast-path.js';
import type { KlingVerifiableRequest, KlingVerifier, VerifyOutcome } from './types.js';

/** Options of {@link callbackToken}. */
export interface CallbackTokenOptions {
  /** The secret the callback URLs were signed with ({@link signCallbackUrl}). */
  secret?: string;
  /**
   * Several secrets during a rotation; a token signed with any of them passes. Combined with `secret` (which counts
   * as the first, current one): a token verified by a later (old) one is logged as a warning once a day.
   */
  secrets?: readonly string[];
  /** Required `aud` claim. Default `kling-callback`. */
  audience?: string;
  /** Leeway for `exp` and `nbf`, in seconds. Default 5. */
  clockToleranceSec?: number;
  /** Longer tokens are refused without being parsed. Default 8192. */
  maxTokenBytes?: number;
  /** Current time in milliseconds; inject it in tests. Default `Date.now`. */
  now?: () => number;
}

/** The `aud` claim of callback tokens unless configured otherwise. */
export const DEFAULT_CALLBACK_AUDIENCE = 'kling-callback';

const NAME = 'callback-token';
const BEARER = /^Bearer +([^\s]+)$/i;

/** Why jose refused a token, in words that hold neither the token nor a claim's value. */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'token not yet valid';
    if (error.claim === 'aud') return 'token audience mismatch';
    return `token claim "${error.claim}" ${error.reason === 'missing' ? 'missing' : 'invalid'}`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'no secret matched the token signature';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed token';
  return 'token rejected';
}

function fail(reason: string): VerifyOutcome {
  return { ok: false, verifier: NAME, reason };
}

/** The token of `?token=` (path or absolute URL), else of `Authorization: Bearer`; `null` when the query is ambiguous. */
function tokenOf(request: KlingVerifiableRequest): string | undefined | null {
  const { url } = request;
  const start = url.indexOf('?');
  if (start !== -1) {
    const end = url.indexOf('#', start);
    const tokens = new URLSearchParams(url.slice(start + 1, end === -1 ? undefined : end)).getAll('token');
    const [first] = tokens;
    // Two different tokens: refuse instead of letting an attacker add one that might be picked.
    if (tokens.some((token) => token !== first)) return null;
    if (first) return first;
  }
  const authorization = headerValue(request.headers, 'authorization');
  return authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
}

/** `expect` from the `ext` / `tid` claims, or a reason when one is present but not a string. */
function binding(payload: JWTPayload, secretIndex: number): VerifyOutcome {
  const { ext, tid } = payload;
  if (ext !== undefined && typeof ext !== 'string') return fail('token claim "ext" is not a string');
  if (tid !== undefined && typeof tid !== 'string') return fail('token claim "tid" is not a string');
  if (ext === undefined && tid === undefined) return { ok: true, verifier: NAME, secretIndex };
  const expect: { taskId?: string; externalTaskId?: string } = {};
  if (ext !== undefined) expect.externalTaskId = ext;
  if (tid !== undefined) expect.taskId = tid;
  return { ok: true, verifier: NAME, expect, secretIndex };
}

class CallbackTokenVerifier implements KlingVerifier {
  readonly name = NAME;
  readonly #keys: Promise<readonly webcrypto.CryptoKey[]>;
  readonly #hmacKeys: readonly KeyObject[];
  readonly #audience: string;
  readonly #clockTolerance: number;
  readonly #maxTokenBytes: number;
  readonly #now: () => number;

  constructor(
    keys: Promise<readonly webcrypto.CryptoKey[]>,
    hmacKeys: readonly KeyObject[],
    options: CallbackTokenOptions,
  ) {
    this.#keys = keys;
    this.#hmacKeys = hmacKeys;
    this.#audience = options.audience ?? DEFAULT_CALLBACK_AUDIENCE;
    this.#clockTolerance = options.clockToleranceSec ?? 5;
    this.#maxTokenBytes = options.maxTokenBytes ?? 8192;
    this.#now = options.now ?? Date.now;
  }

  async verify(request: KlingVerifiableRequest): Promise<VerifyOutcome> {
    const token = tokenOf(request);
    if (token === null) return fail('several different tokens in the query');
    if (!token) return fail('no token in ?token= or Authorization: Bearer');
    if (utf8Length(token) > this.#maxTokenBytes) return fail('token too large');

    const options: JWTVerifyOptions = {
      algorithms: ['HS256'],
      audience: this.#audience,
      clockTolerance: this.#clockTolerance,
      currentDate: new Date(this.#now()),
      requiredClaims: ['exp'],
    };
    const accepted = acceptedToken(token, this.#hmacKeys, options);
    if (accepted !== undefined) return binding(accepted.payload, accepted.secretIndex);
    const keys = await this.#keys;
    let reason = 'token rejected';
    for (const [secretIndex, key] of keys.entries()) {
      try {
        const { payload } = await jwtVerify(token, key, options);
        return binding(payload, secretIndex);
      } catch (error) {
        reason = reasonOf(error);
        // Only a signature mismatch means another secret may fit; any other refusal holds for every secret.
        if (!(error instanceof errors.JWSSignatureVerificationFailed)) break;
      }
    }
    return fail(reason);
  }
}

function importKey(secret: string): Promise<webcrypto.CryptoKey> {
  return globalThis.crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
}

/**
 * Verifies a signed, expiring token that {@link signCallbackUrl} put in the callback URL (`?token=`), or one sent as
 * `Authorization: Bearer`. For deployments where Kling's own signing ({@link klingSignature}) is not enabled.
 * Only HS256 is accepted; `exp` is required and `aud` must match. A token's `ext` / `tid` claims bind it to one task:
 * the outcome's `expect` carries them and the receiver refuses a body about another task.
 *
 * @throws {@link KlingConfigError} when no secret is given or a limit is not a positive number.
 */
export function callbackToken(options: CallbackTokenOptions): KlingVerifier {
  const given = [...(options.secret === undefined ? [] : [options.secret]), ...(options.secrets ?? [])];
  const secrets = secretList('callbackToken', given);
  const { clockToleranceSec = 5, maxTokenBytes = 8192, audience } = options;
  if (!Number.isFinite(clockToleranceSec) || clockToleranceSec < 0) {
    throw new KlingConfigError('callbackToken: clockToleranceSec must be a number of seconds ≥ 0');
  }
  if (!Number.isSafeInteger(maxTokenBytes) || maxTokenBytes <= 0) {
    throw new KlingConfigError('callbackToken: maxTokenBytes must be a positive integer');
  }
  if (audience !== undefined && audience.length === 0) {
    throw new KlingConfigError('callbackToken: audience must not be empty');
  }
  const keys = Promise.all(secrets.map(importKey));
  // Importing a non-empty HMAC key cannot fail; the catch only keeps an impossible rejection from crashing the process.
  keys.catch(() => undefined);
  return new CallbackTokenVerifier(keys, tokenKeys(secrets), options);
}
