import { createHmac, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { KlingConfigError } from '../src/errors.js';
import type { KlingHeaders } from '../src/request.js';
import { callbackToken } from '../src/verify/callback-token.js';
import { bindingMismatch } from '../src/verify/compose.js';
import { signCallbackUrl } from '../src/verify/sign-callback-url.js';
import type { VerifyOutcome } from '../src/verify/types.js';

const SECRET = randomBytes(32).toString('hex');
const T = 1_800_000_000; // fixed "now", Unix seconds
const at = (seconds: number) => () => seconds * 1000;
const verifier = callbackToken({ secret: SECRET, now: at(T) });

function request(url: string, headers: KlingHeaders = {}) {
  return { method: 'POST', url, headers, rawBody: new Uint8Array() };
}
const viaQuery = (token: string) => request(`/webhooks/kling?token=${token}`);
const viaBearer = (token: string) => request('/webhooks/kling', { authorization: `Bearer ${token}` });

function reasonOf(outcome: VerifyOutcome): string {
  if (outcome.ok) throw new Error('expected a failed outcome');
  return outcome.reason;
}

/** An HS256 token with the given claims, valid at T unless the claims say otherwise. */
function token(claims: JWTPayload = {}, secret: string = SECRET, alg = 'HS256'): Promise<string> {
  return new SignJWT({ aud: 'kling-callback', iat: T, exp: T + 3600, ...claims })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Hand-made HS256 token, for headers jose would not write. */
function rawHs256(header: Record<string, unknown>, payload: JWTPayload, key: Uint8Array): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

describe('callbackToken', () => {
  it('accepts a valid token in ?token= (path or absolute URL) and in Authorization: Bearer', async () => {
    const t = await token();
    expect(await verifier.verify(viaQuery(t))).toEqual({ ok: true, verifier: 'callback-token', secretIndex: 0 });
    expect((await verifier.verify(request(`https://app.example.com/hook?a=1&token=${t}&b=2`))).ok).toBe(true);
    expect((await verifier.verify(viaBearer(t))).ok).toBe(true);
    expect((await verifier.verify(request('/hook', { Authorization: `bearer ${t}` }))).ok).toBe(true);
  });

  it('verifies what signCallbackUrl makes, and binds it to the task ids it names', async () => {
    const url = await signCallbackUrl('https://app.example.com/webhooks/kling', {
      secret: SECRET,
      externalTaskId: 'order-42',
      taskId: '867283741759111202',
    });
    const live = callbackToken({ secret: SECRET });
    const outcome = await live.verify(request(url));
    expect(outcome).toEqual({
      ok: true,
      verifier: 'callback-token',
      expect: { externalTaskId: 'order-42', taskId: '867283741759111202' },
      secretIndex: 0,
    });
    expect(bindingMismatch(outcome, { taskId: '867283741759111202', externalTaskId: 'order-42' })).toBeUndefined();
    expect(bindingMismatch(outcome, { taskId: '867283741759111202', externalTaskId: 'order-43' })).toMatch(
      /another external task id/,
    );
    expect(bindingMismatch(outcome, { taskId: '1', externalTaskId: 'order-42' })).toMatch(/another task id/);
    expect(bindingMismatch(outcome, { taskId: '867283741759111202' })).toMatch(/does not carry/);
  });

  it('carries only the binding claims present', async () => {
    const outcome = await verifier.verify(viaQuery(await token({ ext: 'order-7' })));
    expect(outcome).toEqual({
      ok: true,
      verifier: 'callback-token',
      expect: { externalTaskId: 'order-7' },
      secretIndex: 0,
    });
    expect(bindingMismatch(outcome, { taskId: 'anything', externalTaskId: 'order-7' })).toBeUndefined();
    expect(reasonOf(await verifier.verify(viaQuery(await token({ ext: 42 }))))).toBe(
      'token claim "ext" is not a string',
    );
    expect(reasonOf(await verifier.verify(viaQuery(await token({ tid: ['a'] }))))).toBe(
      'token claim "tid" is not a string',
    );
  });

  it('refuses alg: none', async () => {
    const unsecured = new UnsecuredJWT({ aud: 'kling-callback', exp: T + 3600 }).encode();
    expect(reasonOf(await verifier.verify(viaQuery(unsecured)))).toBe('token algorithm not allowed');
    // Same, with a signature part present.
    const withSig = `${unsecured}${createHmac('sha256', SECRET).update('x').digest('base64url')}`;
    expect((await verifier.verify(viaQuery(withSig))).ok).toBe(false);
  });

  it('refuses HS512 even with the right secret', async () => {
    expect(reasonOf(await verifier.verify(viaQuery(await token({}, SECRET, 'HS512'))))).toBe(
      'token algorithm not allowed',
    );
  });

  it('refuses RS256, with or without its public key embedded in the header', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const claims = { aud: 'kling-callback', exp: T + 3600 };
    const plain = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    expect(reasonOf(await verifier.verify(viaQuery(plain)))).toBe('token algorithm not allowed');
    const embedded = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', jwk: await exportJWK(publicKey) })
      .sign(privateKey);
    expect(reasonOf(await verifier.verify(viaQuery(embedded)))).toBe('token algorithm not allowed');
  });

  it('ignores kid / jku / jwk headers that point at an attacker key', async () => {
    const attackerKey = randomBytes(32);
    const payload = { aud: 'kling-callback', exp: T + 3600 };
    const tricks = [
      { alg: 'HS256', kid: 'attacker' },
      { alg: 'HS256', kid: '../../../../dev/null' },
      { alg: 'HS256', jku: 'https://attacker.example/jwks.json', kid: 'k1' },
      { alg: 'HS256', jwk: { kty: 'oct', k: attackerKey.toString('base64url') } },
    ];
    for (const header of tricks) {
      const forged = rawHs256(header, payload, attackerKey);
      expect(reasonOf(await verifier.verify(viaQuery(forged)))).toBe('no secret matched the token signature');
    }
    // The hand-made signer is right: with our secret, the same kind of token passes.
    expect(await verifier.verify(viaQuery(rawHs256({ alg: 'HS256' }, payload, Buffer.from(SECRET))))).toEqual({
      ok: true,
      verifier: 'callback-token',
      secretIndex: 0,
    });
  });

  it('refuses an expired token, and a valid token reused after its exp', async () => {
    expect(reasonOf(await verifier.verify(viaQuery(await token({ iat: T - 7200, exp: T - 60 }))))).toBe(
      'token expired',
    );
    const t = await token({ exp: T + 60 });
    expect((await callbackToken({ secret: SECRET, now: at(T + 59) }).verify(viaQuery(t))).ok).toBe(true);
    // Within the 5 s clock tolerance, then past it.
    expect((await callbackToken({ secret: SECRET, now: at(T + 64) }).verify(viaQuery(t))).ok).toBe(true);
    expect(reasonOf(await callbackToken({ secret: SECRET, now: at(T + 65) }).verify(viaQuery(t)))).toBe(
      'token expired',
    );
  });

  it('refuses a token that is not yet valid (nbf in the future)', async () => {
    expect(reasonOf(await verifier.verify(viaQuery(await token({ nbf: T + 60 }))))).toBe('token not yet valid');
  });

  it('refuses a token without exp', async () => {
    const noExp = await new SignJWT({ aud: 'kling-callback' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
    expect(reasonOf(await verifier.verify(viaQuery(noExp)))).toBe('token claim "exp" missing');
  });

  it('refuses a wrong or missing aud, and honours a configured audience', async () => {
    expect(reasonOf(await verifier.verify(viaQuery(await token({ aud: 'other' }))))).toBe('token audience mismatch');
    expect(reasonOf(await verifier.verify(viaQuery(await token({ aud: undefined }))))).toBe('token audience mismatch');
    const custom = callbackToken({ secret: SECRET, audience: 'my-app', now: at(T) });
    expect(await custom.verify(viaQuery(await token({ aud: 'my-app' })))).toMatchObject({ ok: true });
    expect((await custom.verify(viaQuery(await token()))).ok).toBe(false);
  });

  it('refuses a token signed with another secret', async () => {
    expect(reasonOf(await verifier.verify(viaQuery(await token({}, 'another secret'))))).toBe(
      'no secret matched the token signature',
    );
  });

  it('refuses a request with the token in neither place', async () => {
    const reason = 'no token in ?token= or Authorization: Bearer';
    expect(reasonOf(await verifier.verify(request('/webhooks/kling')))).toBe(reason);
    expect(reasonOf(await verifier.verify(request('/webhooks/kling?token=')))).toBe(reason);
    expect(reasonOf(await verifier.verify(request('/webhooks/kling', { authorization: 'Basic dXNlcjpwYXNz' })))).toBe(
      reason,
    );
  });

  it('refuses two different tokens in the query', async () => {
    const good = await token();
    const outcome = await verifier.verify(request(`/hook?token=${good}&token=${await token({ ext: 'x' })}`));
    expect(reasonOf(outcome)).toBe('several different tokens in the query');
  });

  it('refuses a token over maxTokenBytes without parsing it', async () => {
    const huge = await token({ pad: 'x'.repeat(9000) });
    expect(huge.length).toBeGreaterThan(8192);
    // It is otherwise valid, so only the size check can refuse it — before jose sees it.
    expect((await callbackToken({ secret: SECRET, maxTokenBytes: 20_000, now: at(T) }).verify(viaQuery(huge))).ok).toBe(
      true,
    );
    expect(reasonOf(await verifier.verify(viaQuery(huge)))).toBe('token too large');
    expect(reasonOf(await verifier.verify(viaBearer(huge)))).toBe('token too large');
    // Not even parsed: garbage of that size gets the size reason, not "malformed token".
    expect(reasonOf(await verifier.verify(viaQuery('a'.repeat(8193))))).toBe('token too large');
    expect(reasonOf(await verifier.verify(viaQuery('a'.repeat(100))))).toBe('malformed token');
  });

  it('accepts tokens signed with any secret of a rotation', async () => {
    const rotating = callbackToken({ secret: 'old-secret-0123456789', secrets: ['new-secret-0123456789'], now: at(T) });
    const old = await rotating.verify(viaQuery(await token({}, 'old-secret-0123456789')));
    expect(old).toMatchObject({ ok: true, secretIndex: 0 });
    const current = await rotating.verify(viaQuery(await token({}, 'new-secret-0123456789')));
    expect(current).toMatchObject({ ok: true, secretIndex: 1 });
    expect((await rotating.verify(viaQuery(await token({}, 'third-secret-0123456789')))).ok).toBe(false);
    // A claim failure under the first secret is final: it is not retried into a different answer.
    expect(reasonOf(await rotating.verify(viaQuery(await token({ exp: T - 60 }, 'new-secret-0123456789'))))).toBe(
      'token expired',
    );
  });

  it('never puts the token or the secret in a reason', async () => {
    const bad = [await token({ exp: T - 60 }), await token({}, 'x'), await token({ aud: 'y' }), 'a.b.c'];
    for (const t of bad) {
      const reason = reasonOf(await verifier.verify(viaQuery(t)));
      expect(reason).not.toContain(t);
      expect(reason).not.toContain(t.split('.')[2] || '\u0000');
      expect(reason).not.toContain(SECRET);
    }
  });

  it('refuses bad options at creation', () => {
    expect(() => callbackToken({})).toThrow(KlingConfigError);
    expect(() => callbackToken({ secret: '' })).toThrow(KlingConfigError);
    expect(() => callbackToken({ secret: SECRET, maxTokenBytes: 0 })).toThrow(KlingConfigError);
    expect(() => callbackToken({ secret: SECRET, clockToleranceSec: -1 })).toThrow(KlingConfigError);
  });
});

describe('signCallbackUrl', () => {
  it('keeps existing query parameters byte for byte and adds token=', async () => {
    const signed = await signCallbackUrl('https://app.example.com/hook?a=1&b=x%20y&c=+#frag', { secret: SECRET });
    const url = new URL(signed);
    expect(url.search.startsWith('?a=1&b=x%20y&c=+&token=')).toBe(true);
    expect(url.searchParams.get('a')).toBe('1');
    expect(url.hash).toBe('#frag');
    const live = callbackToken({ secret: SECRET });
    expect((await live.verify(request(`${url.pathname}${url.search}`))).ok).toBe(true);
  });

  it('replaces a token already in the URL', async () => {
    const signed = await signCallbackUrl('https://app.example.com/hook?token=stale&a=1', { secret: SECRET });
    const url = new URL(signed);
    expect(url.searchParams.getAll('token')).toHaveLength(1);
    expect(url.searchParams.get('token')).not.toBe('stale');
    expect(url.searchParams.get('a')).toBe('1');
  });

  it('signs HS256 with typ JWT, aud, iat and exp (7 days by default, or expiresIn)', async () => {
    const decode = (signed: string) => {
      const [header, payload] = (new URL(signed).searchParams.get('token') ?? '').split('.');
      return {
        header: JSON.parse(Buffer.from(header ?? '', 'base64url').toString()),
        payload: JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()),
      };
    };
    const byDefault = decode(await signCallbackUrl('https://a.example/h', { secret: SECRET }));
    expect(byDefault.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(byDefault.payload.aud).toBe('kling-callback');
    // jose reads its own clock for a span like '7d': a second may tick between iat and exp.
    expect(byDefault.payload.exp - byDefault.payload.iat).toBeGreaterThanOrEqual(7 * 24 * 3600);
    expect(byDefault.payload.exp - byDefault.payload.iat).toBeLessThanOrEqual(7 * 24 * 3600 + 1);
    expect(byDefault.payload).not.toHaveProperty('ext');
    const short = decode(
      await signCallbackUrl('https://a.example/h', { secret: SECRET, expiresIn: 600, audience: 'x' }),
    );
    expect(short.payload.exp - short.payload.iat).toBe(600);
    expect(short.payload.aud).toBe('x');
    const twoHours = decode(await signCallbackUrl('https://a.example/h', { secret: SECRET, expiresIn: '2h' })).payload;
    expect(twoHours.exp - twoHours.iat).toBeGreaterThanOrEqual(7200);
    expect(twoHours.exp - twoHours.iat).toBeLessThanOrEqual(7201);
  });

  it('refuses a relative URL, an empty secret and a bad expiresIn', async () => {
    await expect(signCallbackUrl('/hook', { secret: SECRET })).rejects.toThrow(KlingConfigError);
    await expect(signCallbackUrl('ftp://a.example/h', { secret: SECRET })).rejects.toThrow(KlingConfigError);
    await expect(signCallbackUrl('https://a.example/h', { secret: '' })).rejects.toThrow(KlingConfigError);
    await expect(signCallbackUrl('https://a.example/h', { secret: SECRET, expiresIn: -5 })).rejects.toThrow(
      KlingConfigError,
    );
    await expect(signCallbackUrl('https://a.example/h', { secret: SECRET, expiresIn: 'soon' })).rejects.toThrow(
      KlingConfigError,
    );
  });
});
