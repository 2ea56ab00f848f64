import { SignJWT } from 'jose';
import { KlingConfigError } from '../errors.js';

/** Kling API credentials: an API key (every model, the only kind the new dialect takes) or an access/secret key pair. */
export type KlingAuth = { apiKey: string } | { accessKey: string; secretKey: string };

/** Produces the `Authorization` header value. */
export interface KlingAuthorizer {
  header(): Promise<string>;
  /** Drops a cached JWT Kling refused (expired, not yet valid); false when there is nothing to renew (API key). */
  invalidate(): boolean;
}

/** Kling's tokens live 30 minutes (docs/kling-protocol.md §4). */
const tokenLifetimeSec = 1800;
/** A token closer than this to its expiry is replaced, so a slow request never carries one that lapses in flight. */
const refreshBeforeSec = 300;

/**
 * Builds the authorizer. The credentials stay in this closure: they are never properties of the client, so neither
 * `console.log(client)` nor an error serializer can reach them.
 */
export function createAuthorizer(auth: KlingAuth, now: () => number): KlingAuthorizer {
  if ('apiKey' in auth) {
    if (typeof auth.apiKey !== 'string' || auth.apiKey.length === 0) {
      throw new KlingConfigError('KlingClient: apiKey must be a non-empty string');
    }
    const header = `Bearer ${auth.apiKey}`;
    return { header: async () => header, invalidate: () => false };
  }
  const { accessKey, secretKey } = auth;
  if (typeof accessKey !== 'string' || accessKey.length === 0 || typeof secretKey !== 'string' || !secretKey) {
    throw new KlingConfigError('KlingClient: give { apiKey } or a non-empty { accessKey, secretKey }');
  }
  const key = new TextEncoder().encode(secretKey);
  let cached: { header: string; expSec: number } | undefined;
  // Concurrent requests at expiry share one signing instead of each minting a token.
  let signing: Promise<string> | undefined;

  const sign = async (): Promise<string> => {
    const nowSec = Math.floor(now() / 1000);
    const expSec = nowSec + tokenLifetimeSec;
    // Exactly {iss, exp, nbf}: Kling documents these claims and nothing else (no iat).
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(accessKey)
      .setExpirationTime(expSec)
      .setNotBefore(nowSec - 5)
      .sign(key);
    cached = { header: `Bearer ${token}`, expSec };
    return cached.header;
  };

  return {
    header() {
      if (cached && now() / 1000 < cached.expSec - refreshBeforeSec) return Promise.resolve(cached.header);
      signing ??= sign().finally(() => {
        signing = undefined;
      });
      return signing;
    },
    invalidate() {
      cached = undefined;
      return true;
    },
  };
}
