import { timingSafeEqual } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import type { MockApi, MockApiError } from './types.js';

/** The credentials the mock accepts. With none configured, any non-empty Bearer credential is accepted. */
export interface MockCredentials {
  apiKey?: string;
  accessKey?: string;
  secretKey?: string;
}

const authFailed: MockApiError = { status: 401, code: 1000, message: 'Authentication failed' };
const authInvalid: MockApiError = { status: 401, code: 1002, message: 'Authorization is invalid' };

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks a Kling access-key JWT (docs/kling-protocol.md §4) with jose: HS256 only, signed with `secretKey`, `iss` equal to
 * `accessKey`, `exp` required and in the future (else 1004), `nbf` in the past (else 1003).
 */
async function checkJwt(
  token: string,
  accessKey: string,
  secretKey: string,
  nowSec: number,
): Promise<MockApiError | undefined> {
  try {
    await jwtVerify(token, new TextEncoder().encode(secretKey), {
      algorithms: ['HS256'],
      issuer: accessKey,
      requiredClaims: ['exp'],
      currentDate: new Date(nowSec * 1000),
    });
    return undefined;
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { status: 401, code: 1004, message: 'Authorization has expired' };
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
      return { status: 401, code: 1003, message: 'Authorization is not yet valid' };
    }
    if (error instanceof errors.JWTClaimValidationFailed && error.reason === 'missing') return authInvalid;
    if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWTClaimValidationFailed) {
      return authFailed;
    }
    return authInvalid;
  }
}

/**
 * Checks the `Authorization` header of an API request the way Kling does: `Bearer <API key>` for every endpoint, or
 * `Bearer <JWT>` from the access key and secret key for the legacy endpoints only. Returns the error to answer, or
 * undefined when the request may go on.
 */
export async function checkAuthorization(
  header: string | undefined,
  credentials: MockCredentials,
  api: MockApi,
  nowSec: number = Math.floor(Date.now() / 1000),
): Promise<MockApiError | undefined> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!header) return { status: 401, code: 1001, message: 'Authorization is empty' };
  const credential = match?.[1];
  if (!credential) return authInvalid;
  const { apiKey, accessKey, secretKey } = credentials;
  const jwtConfigured = accessKey !== undefined && secretKey !== undefined;
  if (apiKey === undefined && !jwtConfigured) return undefined;
  if (apiKey !== undefined && sameText(credential, apiKey)) return undefined;
  if (jwtConfigured && credential.split('.').length === 3) {
    // The new dialect accepts only API keys.
    if (api === 'new') return authFailed;
    return checkJwt(credential, accessKey, secretKey, nowSec);
  }
  return authFailed;
}
