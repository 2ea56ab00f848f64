import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KlingHeaders } from '../src/request.js';
import { hmacSignature, signBody } from '../src/verify/hmac.js';
import { hmacSignature as webHmacSignature } from '../src/verify/hmac.web.js';
import { klingSignature, signKlingWebhook } from '../src/verify/kling-signature.js';
import { klingSignature as webKlingSignature } from '../src/verify/kling-signature.web.js';

// The web build (Workers, edge runtimes) verifies with Web Crypto in *.web.ts files; Node, Bun and Deno with
// node:crypto. Both must decide every request alike, for the same reason.

const NOW_SEC = 1_781_080_794;
const now = () => NOW_SEC * 1000;
const secrets = [`whsec_${randomBytes(32).toString('base64')}`, `whsec_${randomBytes(24).toString('base64')}`];
const other = `whsec_${randomBytes(32).toString('base64')}`;

function request(headers: KlingHeaders, body: Uint8Array) {
  return { method: 'POST', url: '/webhooks/kling', headers, rawBody: body };
}

/** A Node Buffer from the shared pool (what Node adapters hand over), or a plain Uint8Array (what web runtimes do). */
const bodies = fc
  .tuple(fc.uint8Array({ maxLength: 600 }), fc.boolean())
  .map(([bytes, pooled]) => (pooled ? Buffer.from(bytes) : bytes));

/** Mutations of a valid signature header, from none to garbage: each must get the same verdict from both verifiers. */
const mutations = fc.oneof(
  { arbitrary: fc.constant((valid: string): string | undefined => valid), weight: 3 },
  {
    arbitrary: fc.constantFrom<(valid: string) => string | undefined>(
      (valid) => `v1,AAAA ${valid}`,
      (valid) => `${valid} v2,xyz`,
      (valid) => valid.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      (valid) => valid.replace('v1,', 'v1a,'),
      (valid) => `${valid}=`,
      () => undefined,
    ),
    weight: 2,
  },
  { arbitrary: fc.string({ maxLength: 80 }).map((garbage) => () => garbage), weight: 1 },
);

describe('Web Crypto verifiers agree with the node:crypto ones', () => {
  const node = klingSignature({ secrets, now });
  const web = webKlingSignature({ secrets, now });

  it('klingSignature: same outcome for signed, tampered, re-timed and malformed requests', async () => {
    let passed = 0;
    await fc.assert(
      fc.asyncProperty(
        bodies,
        fc.constantFrom(secrets[0] as string, secrets[1] as string, other),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: -400, max: 400 }),
        fc.nat(3).map((n) => n === 0),
        mutations,
        async (body, secret, id, skew, tamperBody, mutate) => {
          const signed = signKlingWebhook({ secret, body, id: id.trim() || 'msg', timestamp: NOW_SEC + skew });
          const headers: Record<string, string> = { ...signed };
          const signature = mutate(signed['webhook-signature']);
          if (signature === undefined) delete headers['webhook-signature'];
          else headers['webhook-signature'] = signature;
          const sent = tamperBody && body.length > 0 ? body.map((b, i) => (i === 0 ? b ^ 1 : b)) : body;
          const expected = await node.verify(request(headers, sent));
          expect(await web.verify(request(headers, sent))).toEqual(expected);
          if (expected.ok) passed += 1;
        },
      ),
      { numRuns: 1000 },
    );
    // Both outcomes must be well represented, or the agreement says little.
    expect(passed).toBeGreaterThan(100);
    expect(passed).toBeLessThan(900);
  });

  it('klingSignature: the official test vector passes both', async () => {
    const vector = {
      secret: 'whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=',
      headers: {
        'webhook-id': '9876543210',
        'webhook-timestamp': '1781080794',
        'webhook-signature': 'v1,UsKlJP00XoQyOn410NM9xv34sP+Gl0jnOO9Lcpr7NJ4=',
      },
      body: '{"id":"1234567890","status":"succeeded","message":"","create_time":1781080778802,"update_time":1781080794151}',
    };
    const input = request(vector.headers, new TextEncoder().encode(vector.body));
    const passed = { ok: true, verifier: 'kling-signature', secretIndex: 0 };
    expect(klingSignature({ secrets: vector.secret, now }).verify(input)).toEqual(passed);
    expect(await webKlingSignature({ secrets: vector.secret, now }).verify(input)).toEqual(passed);
  });

  it('hmacSignature: same outcome for right, wrong and malformed signatures', async () => {
    const hmacSecrets = ['first-secret', 'second secret, rotated in'];
    const nodeHmac = hmacSignature({ secrets: hmacSecrets });
    const webHmac = webHmacSignature({ secrets: hmacSecrets });
    await fc.assert(
      fc.asyncProperty(
        bodies,
        fc.constantFrom(...hmacSecrets, 'not one of them'),
        fc.oneof(
          fc.constant('valid'),
          fc.constant('upper'),
          fc.constant('missing'),
          fc.string({ maxLength: 80 }),
          fc.stringMatching(/^sha256=[0-9a-f]{64}$/),
        ),
        async (body, secret, kind) => {
          const valid = signBody(body, secret);
          const value = kind === 'valid' ? valid : kind === 'upper' ? `sha256=${valid.slice(7).toUpperCase()}` : kind;
          const headers = kind === 'missing' ? {} : { 'x-kling-signature': value };
          const expected = await nodeHmac.verify(request(headers, body));
          expect(await webHmac.verify(request(headers, body))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
