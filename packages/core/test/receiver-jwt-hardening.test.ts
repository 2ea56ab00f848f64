import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callbackToken, createKlingReceiver, memoryStore, signCallbackUrl } from '@kling-webhooks/core';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger, legacyBody, taskId } from './receiver-fixtures.js';

const SECRET = randomBytes(32).toString('hex');
const ATTACKER_SECRET = randomBytes(32).toString('hex');
const T = 1_800_000_000; // the receiver's "now", Unix seconds, moved by tests
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const CLAIMS = { aud: 'kling-callback', iat: T, exp: T + 600 };

/** A receiver that trusts callback tokens only, with a clock the test moves; handlers record task ids. */
function tokenReceiver() {
  const clock = { now: T * 1000 };
  const logger = captureLogger();
  const receiver = createKlingReceiver({
    verify: callbackToken({ secret: SECRET, now: () => clock.now }),
    store: memoryStore(),
    logger,
  });
  const handled: string[] = [];
  receiver.on('*', (event) => {
    handled.push(event.taskId);
  });
  /** Delivers a fresh task's callback with `token` in the URL, or as a Bearer header. */
  const deliver = async (token: string, where: 'query' | 'bearer' = 'query', id = taskId()) => {
    const body = Buffer.from(legacyBody(id, 'succeed'));
    const response = await receiver.handle({
      method: 'POST',
      url: where === 'query' ? `/webhooks/kling?token=${token}` : '/webhooks/kling',
      headers: {
        'content-type': 'application/json',
        ...(where === 'bearer' ? { authorization: `Bearer ${token}` } : {}),
      },
      rawBody: body,
    });
    return { status: response.status, id };
  };
  /** The reason the receiver logged for its last refusal. */
  const lastReason = () => logger.at('warn').at(-1) ?? '';
  return { clock, deliver, handled, lastReason };
}

/** A token with any header, signed with HMAC-`hash` over `key` (jose refuses to write some of these headers). */
function handMade(header: Record<string, unknown>, payload: object, key: string | Uint8Array, hash = 'sha256'): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

/** A JWKS server an attacker would point `jku` at: counts the requests it gets (there must be none). */
const jwks = { hits: 0, url: '', close: () => {} };
let attacker: Awaited<ReturnType<typeof generateKeyPair>>;

beforeAll(async () => {
  attacker = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(attacker.publicKey)), kid: 'attacker', alg: 'RS256' };
  const server = createServer((_req, res) => {
    jwks.hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  jwks.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  jwks.close = () => server.close();
});
afterAll(() => jwks.close());

describe('callback tokens through receiver.handle: hostile headers and lifetimes', () => {
  it('a genuine token reaches the handler (the refusals below are about the token)', async () => {
    const { deliver, handled } = tokenReceiver();
    const genuine = handMade({ alg: 'HS256', typ: 'JWT' }, CLAIMS, SECRET);
    const { status, id } = await deliver(genuine);
    expect(status).toBe(200);
    expect(handled).toEqual([id]);
  });

  it.each<[string, () => Promise<string> | string]>([
    ['alg none, no signature', () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(CLAIMS)}.`],
    [
      'alg None with the genuine signature kept',
      () => {
        const genuine = handMade({ alg: 'HS256' }, CLAIMS, SECRET).split('.')[2];
        return `${b64url({ alg: 'None' })}.${b64url(CLAIMS)}.${genuine}`;
      },
    ],
    ['alg HS512 signed with the right secret', () => handMade({ alg: 'HS512' }, CLAIMS, SECRET, 'sha512')],
    ['alg hs256 (lower case) signed with the right secret', () => handMade({ alg: 'hs256' }, CLAIMS, SECRET)],
    [
      'alg RS256 signed with an attacker key',
      () => new SignJWT(CLAIMS).setProtectedHeader({ alg: 'RS256' }).sign(attacker.privateKey),
    ],
    ['alg RS256 "signed" by HMAC over the secret (key confusion)', () => handMade({ alg: 'RS256' }, CLAIMS, SECRET)],
    [
      'kid naming another key, signed with the attacker secret',
      () => handMade({ alg: 'HS256', kid: '../../../../dev/null' }, CLAIMS, ATTACKER_SECRET),
    ],
    ['kid with SQL, signed with an empty key', () => handMade({ alg: 'HS256', kid: "' OR 1=1 --" }, CLAIMS, '')],
    [
      'jku pointing at an attacker JWKS, RS256',
      async () =>
        new SignJWT(CLAIMS)
          .setProtectedHeader({ alg: 'RS256', jku: jwks.url, kid: 'attacker' })
          .sign(attacker.privateKey),
    ],
    [
      'jwk embedding the attacker public key, RS256',
      async () =>
        new SignJWT(CLAIMS)
          .setProtectedHeader({ alg: 'RS256', jwk: await exportJWK(attacker.publicKey) })
          .sign(attacker.privateKey),
    ],
    [
      'jwk embedding an attacker HMAC key, HS256 signed with it',
      () =>
        handMade(
          { alg: 'HS256', jwk: { kty: 'oct', k: Buffer.from(ATTACKER_SECRET).toString('base64url') } },
          CLAIMS,
          ATTACKER_SECRET,
        ),
    ],
    ['x5u pointing at an attacker URL', () => handMade({ alg: 'HS256', x5u: jwks.url }, CLAIMS, ATTACKER_SECRET)],
    [
      'crit naming an unknown extension, right secret',
      () => handMade({ alg: 'HS256', crit: ['exp'], exp: 1 }, CLAIMS, SECRET),
    ],
    ['no exp', () => handMade({ alg: 'HS256' }, { aud: 'kling-callback', iat: T }, SECRET)],
    ['another audience', () => handMade({ alg: 'HS256' }, { ...CLAIMS, aud: 'kling-api' }, SECRET)],
    ['not yet valid (nbf in an hour)', () => handMade({ alg: 'HS256' }, { ...CLAIMS, nbf: T + 3600 }, SECRET)],
  ])('401 and no handler: %s', async (_name, make) => {
    const { deliver, handled } = tokenReceiver();
    const token = await make();
    for (const where of ['query', 'bearer'] as const) {
      expect((await deliver(token, where)).status).toBe(401);
    }
    expect(handled).toEqual([]);
    // SSRF-free: no header made the verifier fetch a key.
    expect(jwks.hits).toBe(0);
  });

  it('a token over 8 KiB gets 401 before it is parsed, even when it is genuine', async () => {
    const { deliver, handled, lastReason } = tokenReceiver();
    const genuine = handMade({ alg: 'HS256' }, { ...CLAIMS, pad: 'x'.repeat(9000) }, SECRET);
    expect(genuine.length).toBeGreaterThan(8192);
    expect((await deliver(genuine)).status).toBe(401);
    expect(lastReason()).toContain('token too large');
    // Garbage that large is refused for its size, not for being malformed: it was never parsed.
    expect((await deliver('!'.repeat(64 * 1024), 'bearer')).status).toBe(401);
    expect(lastReason()).toContain('token too large');
    expect(handled).toEqual([]);
  });

  it('a valid token reused after exp gets 401 (also within the clock tolerance no later)', async () => {
    const { clock, deliver, handled } = tokenReceiver();
    const token = handMade({ alg: 'HS256' }, CLAIMS, SECRET);
    const first = await deliver(token);
    expect(first.status).toBe(200);
    clock.now = (T + 600 + 4) * 1000; // past exp, inside the 5 s tolerance
    expect((await deliver(token)).status).toBe(200);
    clock.now = (T + 600 + 6) * 1000;
    const late = await deliver(token);
    expect(late.status).toBe(401);
    expect(handled).not.toContain(late.id);
  });

  it('a token from signCallbackUrl bound to a task delivers that task only', async () => {
    const id = taskId();
    const url = await signCallbackUrl('https://app.example/webhooks/kling', { secret: SECRET, taskId: id });
    const token = new URL(url).searchParams.get('token') ?? '';
    // signCallbackUrl signs with the real clock.
    const { clock, deliver, handled } = tokenReceiver();
    clock.now = Date.now();
    expect((await deliver(token, 'query', taskId())).status).toBe(401);
    expect((await deliver(token, 'query', id)).status).toBe(200);
    expect(handled).toEqual([id]);
  });
});
