// A differential test of klingSignature against the reference Standard Webhooks library: over generated headers and
// bodies, ours accepts exactly when the reference does. It lives here because `standardwebhooks` is a dependency of
// this package, not of core.
import { createHmac, randomBytes } from 'node:crypto';
import { klingSignature } from '@kling-webhooks/core';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const NOW_SEC = 1_781_080_794;
const keys = [randomBytes(24), randomBytes(32)];
const secrets = keys.map((key) => `whsec_${key.toString('base64')}`);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const hmac = (key: Buffer, id: string, timestamp: string, body: string): string =>
  createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');

/** The same 32 bytes in base64 that is not canonical: other bits in the last digit's unused low four. */
function nonCanonical(signature: string, bits: number): string {
  const last = ALPHABET.indexOf(signature.charAt(42));
  return `${signature.slice(0, 42)}${ALPHABET.charAt(last | (bits & 0xf) || 1)}=`;
}

/** A timestamp header and the text a sender may have signed for it. */
const timestamps = fc
  .record({
    offset: fc.oneof(fc.integer({ min: -400, max: 400 }), fc.constantFrom(-301, -300, 300, 301)),
    form: fc.constantFrom(
      'plain',
      'zero-padded',
      'plus',
      'minus',
      'fraction',
      'exponent',
      'junk after',
      'space before',
      'hex',
      'huge',
      'empty',
      'text',
    ),
    signsText: fc.boolean(),
  })
  .map(({ offset, form, signsText }) => {
    const plain = String(NOW_SEC + offset);
    const header = {
      plain,
      'zero-padded': `000${plain}`,
      plus: `+${plain}`,
      minus: `-${plain}`,
      fraction: `${plain}.7`,
      exponent: `${plain.slice(0, 1)}e9`,
      'junk after': `${plain}abc`,
      'space before': ` ${plain}`,
      hex: `0x${(NOW_SEC + offset).toString(16)}`,
      huge: `${plain}${plain}${plain}`,
      empty: '',
      text: 'now',
    }[form];
    // A sender signs either the number it means or the very text it put in the header.
    return { header: header as string, signed: signsText ? (header as string) : plain };
  });

type Entry = (good: string) => string;
/** One entry of a `webhook-signature` list, made from the right signature for the request. */
const entries: fc.Arbitrary<Entry> = fc.oneof(
  // The right signature, weighted so that a fair share of requests verifies.
  { arbitrary: fc.constant<Entry>((good) => `v1,${good}`), weight: 6 },
  fc.constant<Entry>((good) => `v1,${good},`),
  fc.constant<Entry>((good) => `v1,${good},extra`),
  fc.constant<Entry>((good) => `v2,${good}`),
  fc.constant<Entry>((good) => `V1,${good}`),
  fc.constant<Entry>((good) => `v1,${good.slice(0, 43)}`),
  fc.constant<Entry>((good) => `v1,${good}=`),
  fc.constant<Entry>((good) => `v1, ${good}`),
  fc.constant<Entry>((good) => `v1,${good.replaceAll('+', '-').replaceAll('/', '_')}`),
  fc.constant<Entry>((good) => `v1${good}`),
  fc.constant<Entry>(() => 'v1'),
  fc.constant<Entry>(() => 'v1,'),
  fc.integer({ min: 1, max: 15 }).map(
    (bits): Entry =>
      (good) =>
        `v1,${nonCanonical(good, bits)}`,
  ),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map(
    (bytes): Entry =>
      () =>
        `v1,${Buffer.from(bytes).toString('base64')}`,
  ),
  fc.string({ maxLength: 12 }).map(
    (text): Entry =>
      () =>
        text,
  ),
);

const separators = fc.constantFrom(' ', ', ', '  ', ',', '\t', ' ,');

const requests = fc.record({
  id: fc.oneof(fc.string({ minLength: 0, maxLength: 20 }), fc.constant('msg_2KWPBgLlAfxdpx2AI54pPJ85f1W')),
  timestamp: timestamps,
  signer: fc.integer({ min: 0, max: keys.length }),
  list: fc.array(fc.tuple(entries, separators), { minLength: 0, maxLength: 4 }),
  body: fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.json({ maxDepth: 2 }),
    fc.constant('{"id":"1","status":"succeeded"}'),
  ),
});

describe('klingSignature against the standardwebhooks reference', () => {
  beforeAll(() => {
    // The reference reads Date.now(); both must see the same second.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW_SEC * 1000 + 500);
  });
  afterAll(() => vi.useRealTimers());

  it('accepts a generated request exactly when the reference accepts it', async () => {
    const ours = klingSignature({ secrets, now: () => Date.now() });
    const references = secrets.map((secret) => new Webhook(secret));
    // A stranger's key (index keys.length) signs nothing either verifier knows.
    const signingKeys = [...keys, randomBytes(32)];
    const answers = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(requests, async ({ id, timestamp, signer, list, body }) => {
        const good = hmac(signingKeys[signer] as Buffer, id, timestamp.signed, body);
        const headers = {
          'webhook-id': id,
          'webhook-timestamp': timestamp.header,
          'webhook-signature': list.map(([entry, separator], i) => (i === 0 ? '' : separator) + entry(good)).join(''),
        };
        const theirs = references.some((reference) => {
          try {
            reference.verify(body, headers, { jsonParse: false });
            return true;
          } catch {
            return false;
          }
        });
        const rawBody = new TextEncoder().encode(body);
        const outcome = await ours.verify({ method: 'POST', url: '/', headers, rawBody });
        expect(outcome.ok).toBe(theirs);
        answers[theirs ? 'accepted' : 'refused'] += 1;
      }),
      { numRuns: 3000 },
    );
    // Both answers are common enough for the agreement to mean something.
    expect(answers.accepted).toBeGreaterThan(100);
    expect(answers.refused).toBeGreaterThan(100);
  });

  it('examples of the cases that used to differ', async () => {
    const ours = klingSignature({ secrets, now: () => Date.now() });
    const [key] = keys as [Buffer];
    const body = '{"id":"1","status":"succeeded"}';
    const plain = String(NOW_SEC);
    const good = hmac(key, 'msg_1', plain, body);
    const verify = async (timestamp: string, signature: string) =>
      (
        await ours.verify({
          method: 'POST',
          url: '/',
          headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': timestamp, 'webhook-signature': signature },
          rawBody: new TextEncoder().encode(body),
        })
      ).ok;
    expect(await verify(plain, `v1,${good}`)).toBe(true);
    // Two header lines as Node joins them.
    expect(await verify(plain, `v1,${good}, v1,${hmac(key, 'other', plain, body)}`)).toBe(true);
    // Not canonical base64, though it decodes to the same bytes.
    expect(await verify(plain, `v1,${nonCanonical(good, 1)}`)).toBe(false);
    // A zero-padded timestamp signed as written.
    expect(await verify(`0${plain}`, `v1,${hmac(key, 'msg_1', `0${plain}`, body)}`)).toBe(false);
  });
});
