import { randomBytes } from 'node:crypto';
import {
  callbackToken,
  type KlingResponse,
  type KlingTaskEvent,
  KlingValidationError,
  klingSignature,
  normalize,
  signCallbackUrl,
  signKlingWebhook,
} from '@kling-webhooks/core';
import { parseJson } from '@kling-webhooks/core/adapter';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyHeaders,
  asRawBody,
  BODY_SHAPES,
  bytes,
  contentTypeArb,
  DEEP_BYTES,
  expectCleanPrototype,
  fuzzParameters,
  fuzzReceiver,
  handleSafely,
  headerValueArb,
  hostileBodyBytes,
  labelled,
  mergeHeaders,
  methodArb,
  mutatedBody,
} from './fuzz-fixtures.js';

const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const TOKEN_SECRET = randomBytes(32).toString('hex');
const kling = klingSignature({ secrets: [WEBHOOK_SECRET] });
const token = callbackToken({ secret: TOKEN_SECRET });

const JSON_TYPES = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/cloudevents+json',
  'application/json;charset=latin1',
]);
/** A task id and a status of at most 256 characters each, and the key's syntax. */
// Each character of the id and status is encoded in at most 3 (`:` → `%3A`), plus `{`, `}:e:`.
const MAX_KEY_LENGTH = 3 * 2 * 256 + 5;
const SIGNATURE_HEADERS = new Set([
  'content-type',
  'content-length',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

/** What the pipeline should make of these bytes: the event, or the validation error. */
function expected(raw: Uint8Array): KlingTaskEvent | KlingValidationError {
  try {
    return normalize(parseJson(raw), { source: 'callback' });
  } catch (error) {
    expect(error).toBeInstanceOf(KlingValidationError);
    return error as KlingValidationError;
  }
}

/**
 * A verified request got what its bytes deserve: 200 and exactly the handlers of its status (plus `'*'`) with the
 * event its body describes, or 400 naming the bad field and no handler at all.
 */
function expectOutcome(
  response: KlingResponse,
  raw: Uint8Array,
  calls: { status: string; event: KlingTaskEvent }[],
): KlingTaskEvent | undefined {
  const want = expected(raw);
  if (want instanceof KlingValidationError) {
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_body', path: want.path });
    expect(calls).toHaveLength(0);
    return undefined;
  }
  expect(response.status, response.body).toBe(200);
  const statuses = want.status === 'unknown' ? ['*'] : [want.status, '*'];
  expect(calls.map((call) => call.status).sort()).toEqual(statuses.sort());
  for (const { event } of calls) {
    expect(event.taskId).toBe(want.taskId);
    expect(event.status).toBe(want.status);
    expect(event.rawStatus).toBe(want.rawStatus);
    expect(event.externalTaskId).toBe(want.externalTaskId);
    expect(event.dialect).toBe(want.dialect);
    expect(event.videos).toEqual(want.videos);
    expect(event.source).toBe('callback');
  }
  return want;
}

/** Signed bodies: mostly valid or mutated Kling bodies, and every other hostile kind. */
const signedBody = fc
  .oneof(
    { weight: 2, arbitrary: fc.constantFrom(...BODY_SHAPES).map((shape) => bytes(JSON.stringify(shape('1')))) },
    { weight: 3, arbitrary: mutatedBody('867283741759111202').map((body) => bytes(JSON.stringify(body))) },
    { weight: 4, arbitrary: hostileBodyBytes },
  )
  .map(labelled);

/** Header names in a random case; a header may come as a repeated header with equal values. */
const signatureHeaderStyle = fc.record({
  upper: fc.boolean(),
  repeated: fc.boolean(),
});

/** Properties of thousands of runs: more than the default test timeout on a loaded CI machine. */
const FUZZ_TIMEOUT_MS = 60_000;

describe('receiver.handle on validly signed hostile bodies (fuzzed)', () => {
  it('100,000-deep bodies, signed: 400 before parsing, never 5xx or a stack overflow', async () => {
    const outcomes: number[] = [];
    for (const raw of DEEP_BYTES) {
      const { receiver, calls } = fuzzReceiver(kling);
      const response = await handleSafely(receiver, {
        method: 'POST',
        url: '/webhooks/kling',
        headers: { 'content-type': 'application/json', ...signKlingWebhook({ secret: WEBHOOK_SECRET, body: raw }) },
        rawBody: raw,
      });
      expectOutcome(response, raw, calls);
      outcomes.push(response.status);
    }
    // Refused before JSON.parse builds them (nesting is bounded, junk or not): parsing them alone costs 100+ ms.
    expect(outcomes).toEqual(DEEP_BYTES.map(() => 400));
  });

  it(
    'answers 200 and reaches exactly the right handlers, or 400 and reaches none; never 5xx',
    async () => {
      const seen = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(
          methodArb,
          contentTypeArb,
          anyHeaders,
          signatureHeaderStyle,
          signedBody.chain((raw) => fc.tuple(fc.constant(raw), asRawBody(raw))),
          fc.option(headerValueArb.filter((v) => typeof v === 'string')),
          async (method, contentType, extra, style, [raw, rawBody], webhookId) => {
            const { receiver, calls, logger, keys } = fuzzReceiver(kling);
            const signed = signKlingWebhook({ secret: WEBHOOK_SECRET, body: raw, id: webhookId || undefined });
            const signature: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(signed)) {
              signature[style.upper ? name.toUpperCase() : name] = style.repeated ? [value, value] : value;
            }
            for (const name of Object.keys(extra)) {
              if (SIGNATURE_HEADERS.has(name.toLowerCase())) delete extra[name];
            }
            const response = await handleSafely(receiver, {
              method,
              url: '/webhooks/kling',
              headers: mergeHeaders(extra, signature, { 'content-type': contentType }),
              rawBody,
            });
            seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
            if (method.toUpperCase() !== 'POST') {
              expect(response.status).toBe(405);
              expect(calls).toHaveLength(0);
            } else if (!JSON_TYPES.has(contentType)) {
              // Some random strings are JSON types too; anything refused must not have reached a handler.
              if (response.status === 415) expect(calls).toHaveLength(0);
              else expectOutcome(response, raw, calls);
            } else {
              const event = expectOutcome(response, raw, calls);
              if (event !== undefined) expect(calls[0]?.event.deliveryId).toBe(signed['webhook-id']);
            }
            expect(logger.at('error')).toEqual([]);
            // Dedupe keys are kept for days (in Redis too): their size must not be the sender's to choose.
            for (const key of keys) expect(key.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
            expectCleanPrototype();
          },
        ),
        fuzzParameters(5000),
      );
      // Both outcomes are common: the bodies reach past parsing and past validation.
      expect(seen.get(200)).toBeGreaterThan(500);
      expect(seen.get(400)).toBeGreaterThan(500);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'with a callback token bound to an external id, dispatches only bodies about that task',
    async () => {
      const url = new URL(
        await signCallbackUrl('https://app.example/webhooks/kling', {
          secret: TOKEN_SECRET,
          externalTaskId: 'order-42',
        }),
      );
      const path = `${url.pathname}${url.search}`;
      const seen = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(
          mutatedBody('867283741759111202').chain((body) => asRawBody(labelled(bytes(JSON.stringify(body))))),
          async (rawBody) => {
            const { receiver, calls } = fuzzReceiver(token, [['order-42', '867283741759111202']]);
            const raw = rawBody instanceof Uint8Array ? rawBody : await collect(rawBody);
            const response = await handleSafely(receiver, {
              method: 'POST',
              url: path,
              headers: { 'content-type': 'application/json' },
              rawBody,
            });
            seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
            const want = expected(raw);
            if (
              !(want instanceof KlingValidationError) &&
              (want.externalTaskId !== 'order-42' || want.taskId !== '867283741759111202')
            ) {
              // Verified URL, body about another task (by external id, or by the task paired with it): the token
              // does not authenticate the body.
              expect(response.status).toBe(401);
              expect(calls).toHaveLength(0);
            } else {
              expectOutcome(response, raw, calls);
            }
            expectCleanPrototype();
          },
        ),
        fuzzParameters(1500),
      );
      expect(seen.get(200)).toBeGreaterThan(100);
      expect(seen.get(401)).toBeGreaterThan(10);
    },
    FUZZ_TIMEOUT_MS,
  );
});

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
