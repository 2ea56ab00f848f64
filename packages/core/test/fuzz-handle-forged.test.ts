import { createHmac, randomBytes } from 'node:crypto';
import {
  callbackToken,
  hmacSignature,
  type KlingHeaders,
  klingSignature,
  signBody,
  signCallbackUrl,
  signKlingWebhook,
} from '@kling-webhooks/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyHeaders,
  anyUrl,
  asRawBody,
  contentTypeArb,
  expectCleanPrototype,
  fuzzParameters,
  fuzzReceiver,
  handleSafely,
  hostileBodyBytes,
  mergeHeaders,
  methodArb,
} from './fuzz-fixtures.js';

const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const OTHER_WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const TOKEN_SECRET = randomBytes(32).toString('hex');
const HMAC_SECRET = randomBytes(32).toString('hex');

// Every verifier at once ("any of"): a forgery must get past none of them.
const { receiver, calls, logger } = fuzzReceiver([
  klingSignature({ secrets: [WEBHOOK_SECRET] }),
  callbackToken({ secret: TOKEN_SECRET }),
  hmacSignature({ secrets: [HMAC_SECRET] }),
]);

const nowSec = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function hs256(header: object, payload: object, secret: string): string {
  const unsigned = `${b64url(header)}.${b64url(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

type Forge = (body: Uint8Array, other: Uint8Array) => Promise<{ headers: KlingHeaders; url?: string }>;

/** Credentials that look right and are not: wrong secrets, stale or other bytes' signatures, bad tokens. */
const FORGERIES: Record<string, Forge> = {
  nothing: async () => ({ headers: {} }),
  'kling signature, wrong secret': async (body) => ({
    headers: signKlingWebhook({ secret: OTHER_WEBHOOK_SECRET, body }),
  }),
  'kling signature of other bytes': async (_body, other) => ({
    headers: signKlingWebhook({ secret: WEBHOOK_SECRET, body: other }),
  }),
  'kling signature, stale timestamp': async (body) => ({
    headers: signKlingWebhook({ secret: WEBHOOK_SECRET, body, timestamp: nowSec() - 301 }),
  }),
  'kling signature, future timestamp': async (body) => ({
    headers: signKlingWebhook({ secret: WEBHOOK_SECRET, body, timestamp: nowSec() + 3600 }),
  }),
  'kling signature, id changed after signing': async (body) => ({
    headers: { ...signKlingWebhook({ secret: WEBHOOK_SECRET, body, id: 'msg_1' }), 'webhook-id': 'msg_2' },
  }),
  'kling signature header repeated with another value': async (body) => {
    const signed = signKlingWebhook({ secret: WEBHOOK_SECRET, body });
    return { headers: { ...signed, 'webhook-signature': [signed['webhook-signature'], 'v1,AAAA'] } };
  },
  'hmac, wrong secret': async (body) => ({ headers: { 'x-kling-signature': signBody(body, 'not-the-secret') } }),
  'hmac of other bytes': async (_body, other) => ({ headers: { 'x-kling-signature': signBody(other, HMAC_SECRET) } }),
  'token, wrong secret': async () => ({
    headers: {},
    url: await signCallbackUrl('https://app.example/webhooks/kling', { secret: 'not-the-secret' }),
  }),
  'token, expired': async () => ({
    headers: {},
    url: `/webhooks/kling?token=${hs256({ alg: 'HS256' }, { aud: 'kling-callback', exp: nowSec() - 60 }, TOKEN_SECRET)}`,
  }),
  'token, alg none': async () => ({
    headers: {},
    url: `/webhooks/kling?token=${b64url({ alg: 'none' })}.${b64url({ aud: 'kling-callback', exp: nowSec() + 60 })}.`,
  }),
  'token, no exp': async () => ({
    headers: {},
    url: `/webhooks/kling?token=${hs256({ alg: 'HS256' }, { aud: 'kling-callback' }, TOKEN_SECRET)}`,
  }),
  'token, other audience': async () => ({
    headers: { authorization: `Bearer ${hs256({ alg: 'HS256' }, { aud: 'x', exp: nowSec() + 60 }, TOKEN_SECRET)}` },
  }),
};

describe('receiver.handle on forged and malformed requests (fuzzed)', () => {
  it('never throws, never answers 5xx and never reaches a handler', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        methodArb,
        contentTypeArb,
        anyHeaders,
        anyUrl,
        hostileBodyBytes.chain((body) => fc.tuple(fc.constant(body), asRawBody(body))),
        hostileBodyBytes,
        fc.constantFrom(...Object.keys(FORGERIES)),
        async (method, contentType, extra, url, [body, rawBody], other, forgery) => {
          // Differing bytes: a signature over `other` must not pass for `body`.
          const otherBytes = Buffer.concat([other, Buffer.from(' ')]);
          const forged = await (FORGERIES[forgery] as Forge)(body, otherBytes);
          const response = await handleSafely(receiver, {
            method,
            url: forged.url ?? url,
            headers: mergeHeaders(extra, { 'content-type': contentType }, forged.headers),
            rawBody,
          });
          expect([401, 405, 413, 415]).toContain(response.status);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          expect(calls).toHaveLength(0);
          expectCleanPrototype();
        },
      ),
      fuzzParameters(4000),
    );
    // Most requests got as far as verification: the fuzzing reaches past the cheap checks.
    expect(statuses.get(401)).toBeGreaterThan(2000);
    // The verifiers' refusals were logged (rate-limited), and never with a credential in them.
    expect(logger.lines.length).toBeGreaterThan(0);
    const logged = logger.lines.join('\n');
    for (const secret of [WEBHOOK_SECRET, WEBHOOK_SECRET.slice(6), TOKEN_SECRET, HMAC_SECRET]) {
      expect(logged).not.toContain(secret);
    }
    expect(logger.at('error')).toEqual([]);
  }, 60_000);
});
