import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { type JWTClaimVerificationOptions, type JWTPayload, UnsecuredJWT } from 'jose';

/** `{"alg":"HS256","typ":"JWT"}` as jose (signCallbackUrl) and most signers encode it. */
const HS256_HEADER = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';
/** `{"alg":"none"}`: how a payload whose signature was checked here is handed to jose's claim checks. */
const NONE_HEADER = 'eyJhbGciOiJub25lIn0';
/** An HS256 signature in base64url: 32 bytes, 43 characters, no padding. */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** The HMAC keys of the callback token secrets, the same bytes jose imports. */
export function tokenKeys(secrets: readonly string[]): KeyObject[] {
  return secrets.map((secret) => createSecretKey(Buffer.from(secret)));
}

/**
 * The payload of a callback token that jose's `jwtVerify` would accept, found without WebCrypto: `subtle.verify` is
 * asynchronous and runs on the thread pool, tens of µs per token, where one node:crypto HMAC takes a few. Only a token
 * in the usual form (the HS256 header above, canonical base64url) is checked: its signature against each key, in
 * constant time, then its claims by jose itself (`UnsecuredJWT.decode` runs the same claim checks as `jwtVerify`).
 * `undefined` for anything else, including every refusal: the caller then runs `jwtVerify`, which decides and gives
 * the reason, so this can only ever save time on a token jose accepts.
 */
export function acceptedToken(
  token: string,
  keys: readonly KeyObject[],
  options: JWTClaimVerificationOptions,
): { payload: JWTPayload; secretIndex: number } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== HS256_HEADER) return undefined;
  const [, payload = '', signature = ''] = parts;
  if (!SIGNATURE.test(signature) || !BASE64URL.test(payload)) return undefined;
  const given = Buffer.from(signature);
  const signed = `${HS256_HEADER}.${payload}`;
  const matches = (key: KeyObject) =>
    timingSafeEqual(Buffer.from(createHmac('sha256', key).update(signed).digest('base64url')), given);
  const secretIndex = keys.findIndex(matches);
  if (secretIndex === -1) return undefined;
  try {
    return { payload: UnsecuredJWT.decode(`${NONE_HEADER}.${payload}.`, options).payload, secretIndex };
  } catch {
    return undefined;
  }
}
