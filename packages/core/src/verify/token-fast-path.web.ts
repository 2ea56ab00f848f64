import type { JWTClaimVerificationOptions, JWTPayload } from 'jose';

// Web build: no synchronous HMAC without node:crypto, so no fast path; jose's jwtVerify (Web Crypto) decides alone.

/** An opaque key list (the node:crypto fast path's keys); empty here. */
export function tokenKeys(_secrets: readonly string[]): never[] {
  return [];
}

/** Always `undefined`: the caller runs jose's `jwtVerify`. */
export function acceptedToken(
  _token: string,
  _keys: readonly unknown[],
  _options: JWTClaimVerificationOptions,
): { payload: JWTPayload; secretIndex: number } | undefined {
  return undefined;
}
