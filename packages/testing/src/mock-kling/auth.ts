import { createHmac, timingSafeEqual } from 'node:crypto';
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

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a Kling access-key JWT (kling-protocol.md §4): HS256 only, signed with `secretKey`, `iss` equal to
 * `accessKey`, `exp` in the future (else 1004) and `nbf` in the past (else 1003).
 */
function checkJwt(token: string, accessKey: string, secretKey: string, nowSec: number): MockApiError | undefined {
  const parts = token.split('.');
  const [header, payload, signature] = parts;
  if (parts.length !== 3 || !header || !payload || signature === undefined) return authInvalid;
  const head = decodePart(header);
  const claims = decodePart(payload);
  if (!head || !claims || head.alg !== 'HS256') return authInvalid;
  const expected = createHmac('sha256', secretKey).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return authFailed;
  if (typeof claims.iss !== 'string' || !sameText(claims.iss, accessKey)) return authFailed;
  if (typeof claims.exp !== 'number') return authInvalid;
  if (claims.exp <= nowSec) return { status: 401, code: 1004, message: 'Authorization has expired' };
  if (typeof claims.nbf === 'number' && claims.nbf > nowSec) {
    return { status: 401, code: 1003, message: 'Authorization is not yet valid' };
  }
  return undefined;
}

/**
 * Checks the `Authorization` header of an API request the way Kling does: `Bearer <API key>` for every endpoint, or
 * `Bearer <JWT>` from the access key and secret key for the legacy endpoints only. Returns the error to answer, or
 * undefined when the request may go on.
 */
export function checkAuthorization(
  header: string | undefined,
  credentials: MockCredentials,
  api: MockApi,
  nowSec: number = Math.floor(Date.now() / 1000),
): MockApiError | undefined {
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
