import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { type JWTPayload, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { callbackToken } from '../src/verify/callback-token.js';
import { signCallbackUrl } from '../src/verify/sign-callback-url.js';
import { fuzzParameters } from './fuzz-fixtures.js';

const SECRET = randomBytes(32).toString('hex');
const OTHER = randomBytes(32).toString('hex');
const T = 1_800_000_000;
const verifier = callbackToken({ secrets: [OTHER, SECRET], now: () => T * 1000 });
const request = (token: string) => ({
  method: 'POST',
  url: `/hook?token=${token}`,
  headers: {},
  rawBody: new Uint8Array(),
});

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function hs256(header: Record<string, unknown>, payload: unknown, secret: string): string {
  const input = `${b64url(header)}.${typeof payload === 'string' ? payload : b64url(payload)}`;
  return `${input}.${createHmac('sha256', Buffer.from(secret)).update(input).digest('base64url')}`;
}

/** What jose alone says of a token, with the verifier's options. */
async function joseAccepts(token: string): Promise<JWTPayload | undefined> {
  for (const secret of [OTHER, SECRET]) {
    try {
      const options = { algorithms: ['HS256'], audience: 'kling-callback', clockTolerance: 5, requiredClaims: ['exp'] };
      return (await jwtVerify(token, Buffer.from(secret), { ...options, currentDate: new Date(T * 1000) })).payload;
    } catch {}
  }
  return undefined;
}

/** Mostly what a genuine token holds, sometimes something jose refuses. */
function mostly<T>(usual: fc.Arbitrary<T>, unusual: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: usual, weight: 5 }, { arbitrary: fc.constantFrom(...unusual), weight: 1 });
}

const token = fc
  .record({
    header: mostly(fc.constant({ alg: 'HS256', typ: 'JWT' }), [
      { alg: 'HS256' },
      { alg: 'HS512', typ: 'JWT' },
      { alg: 'none', typ: 'JWT' },
      { alg: 'HS256', typ: 'JWT', crit: ['b64'], b64: false },
      { alg: 'HS256', typ: 'JWT', crit: ['x'] },
    ]),
    exp: mostly(fc.constantFrom(T + 10, T + 3600, T - 3), [undefined, T - 10, 'x', null, T + 0.5]),
    nbf: mostly(fc.constant(undefined), [T - 10, T + 3, T + 10, 'x']),
    iat: mostly(fc.constantFrom(T, undefined), ['x', T + 100]),
    aud: mostly(fc.constantFrom('kling-callback', ['x', 'kling-callback']), ['other', ['x'], '', null, undefined]),
    ext: mostly(fc.oneof(fc.constant(undefined), fc.string({ maxLength: 4 })), [5, null, {}]),
    tid: mostly(fc.oneof(fc.constant(undefined), fc.string({ maxLength: 4 })), [5, null, {}]),
    secret: mostly(fc.constantFrom(SECRET, OTHER), ['wrong']),
    raw: mostly(fc.constant(undefined), ['[]', 'e30', 'not json', 'bnVsbA', 'eyJleHAiOjF9=']),
  })
  .map(({ header, secret, raw, ...claims }) => {
    const payload = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
    return hs256(header as Record<string, unknown>, raw === undefined ? payload : raw, secret as string);
  });

describe('callbackToken without WebCrypto for the usual token', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('accepts exactly the tokens jose accepts, with the same binding', async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(token, async (t) => {
        const outcome = await verifier.verify(request(t));
        const payload = await joseAccepts(t);
        // On top of jose, the verifier refuses `ext` / `tid` claims that are not strings (the same on either path).
        const bindable = (claim: unknown) => claim === undefined || typeof claim === 'string';
        expect(outcome.ok).toBe(payload !== undefined && bindable(payload.ext) && bindable(payload.tid));
        seen[outcome.ok ? 'accepted' : 'refused']++;
        if (outcome.ok && (typeof payload?.ext === 'string' || typeof payload?.tid === 'string')) {
          expect(outcome.expect).toEqual({
            ...(payload.ext !== undefined && { externalTaskId: payload.ext }),
            ...(payload.tid !== undefined && { taskId: payload.tid }),
          });
        }
      }),
      fuzzParameters(1500),
    );
    expect(seen.accepted).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(20);
  });

  it('checks a signCallbackUrl token with node:crypto only, and leaves a refusal to jose', async () => {
    const verify = vi.spyOn(globalThis.crypto.subtle, 'verify');
    const url = await signCallbackUrl('https://app.example.com/hook', { secret: SECRET, externalTaskId: 'order-1' });
    const signed = new URL(url).searchParams.get('token') ?? '';
    expect(await callbackToken({ secret: SECRET }).verify(request(signed))).toEqual({
      ok: true,
      verifier: 'callback-token',
      expect: { externalTaskId: 'order-1' },
      secretIndex: 0,
    });
    expect(verify).not.toHaveBeenCalled();

    const expired = hs256({ alg: 'HS256', typ: 'JWT' }, { aud: 'kling-callback', exp: T - 60 }, SECRET);
    expect(await verifier.verify(request(expired))).toEqual({
      ok: false,
      verifier: 'callback-token',
      reason: 'token expired',
    });
    expect(verify).toHaveBeenCalled();
  });
});
