import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KlingConfigError } from '../src/errors.js';
import type { KlingHeaders } from '../src/request.js';
import { klingSignature, signKlingWebhook } from '../src/verify/kling-signature.js';
import type { VerifyOutcome } from '../src/verify/types.js';

// Official test vector, docs/kling-protocol.md §3.
const VECTOR = {
  secret: 'whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=',
  id: '9876543210',
  timestamp: 1781080794,
  body: '{"id":"1234567890","status":"succeeded","message":"","create_time":1781080778802,"update_time":1781080794151}',
  signature: 'v1,UsKlJP00XoQyOn410NM9xv34sP+Gl0jnOO9Lcpr7NJ4=',
};

const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;
const at = (seconds: number) => () => seconds * 1000;

function request(headers: KlingHeaders, body: string | Uint8Array) {
  const rawBody = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { method: 'POST', url: '/webhooks/kling', headers, rawBody };
}

function reasonOf(outcome: VerifyOutcome): string {
  if (outcome.ok) throw new Error('expected a failed outcome');
  return outcome.reason;
}

const vectorHeaders = {
  'webhook-id': VECTOR.id,
  'webhook-timestamp': String(VECTOR.timestamp),
  'webhook-signature': VECTOR.signature,
};

describe('klingSignature', () => {
  const verifier = klingSignature({ secrets: VECTOR.secret, now: at(VECTOR.timestamp) });

  it("passes Kling's official test vector with the clock injected", async () => {
    expect(await verifier.verify(request(vectorHeaders, VECTOR.body))).toEqual({
      ok: true,
      verifier: 'kling-signature',
      secretIndex: 0,
    });
  });

  it('signKlingWebhook reproduces the official vector', () => {
    const headers = signKlingWebhook({
      secret: VECTOR.secret,
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
      body: VECTOR.body,
    });
    expect(headers).toEqual(vectorHeaders);
  });

  it('verifies the raw bytes as received, not a decoded string', async () => {
    // Not valid UTF-8: decoding and re-encoding would turn 0xff into U+FFFD and change the signed bytes.
    const body = Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]);
    const secret = newSecret();
    const headers = signKlingWebhook({ secret, body, timestamp: 1_700_000_000 });
    expect((await klingSignature({ secrets: secret, now: at(1_700_000_000) }).verify(request(headers, body))).ok).toBe(
      true,
    );
  });

  it('accepts a timestamp just inside the tolerance and refuses stale and future ones', async () => {
    const t = VECTOR.timestamp;
    expect(
      (await klingSignature({ secrets: VECTOR.secret, now: at(t + 300) }).verify(request(vectorHeaders, VECTOR.body)))
        .ok,
    ).toBe(true);
    const stale = klingSignature({ secrets: VECTOR.secret, now: at(t + 301) });
    expect(reasonOf(await stale.verify(request(vectorHeaders, VECTOR.body)))).toBe('timestamp outside tolerance');
    const future = klingSignature({ secrets: VECTOR.secret, now: at(t - 301) });
    expect(reasonOf(await future.verify(request(vectorHeaders, VECTOR.body)))).toBe('timestamp outside tolerance');
    const narrow = klingSignature({ secrets: VECTOR.secret, toleranceSec: 10, now: at(t + 11) });
    expect((await narrow.verify(request(vectorHeaders, VECTOR.body))).ok).toBe(false);
  });

  it('refuses a wrong secret', async () => {
    const other = klingSignature({ secrets: newSecret(), now: at(VECTOR.timestamp) });
    expect(reasonOf(await other.verify(request(vectorHeaders, VECTOR.body)))).toBe('no signature matched');
  });

  it('passes a v1 list with one good entry among bad ones, and ignores other versions', async () => {
    const bad = `v1,${randomBytes(32).toString('base64')}`;
    const signature = `v2,abc ${bad} v1,not-base64!! ${VECTOR.signature} ${bad}`;
    const outcome = await verifier.verify(request({ ...vectorHeaders, 'webhook-signature': signature }, VECTOR.body));
    expect(outcome.ok).toBe(true);
  });

  it('refuses a list of only bad entries', async () => {
    const bad = [1, 2, 3].map(() => `v1,${randomBytes(32).toString('base64')}`).join(' ');
    expect(reasonOf(await verifier.verify(request({ ...vectorHeaders, 'webhook-signature': bad }, VECTOR.body)))).toBe(
      'no signature matched',
    );
    // The right signature under another version tag is not a v1 signature.
    const v2 = VECTOR.signature.replace('v1,', 'v2,');
    expect((await verifier.verify(request({ ...vectorHeaders, 'webhook-signature': v2 }, VECTOR.body))).ok).toBe(false);
    // A truncated signature is a length mismatch, which must fail instead of throwing.
    const short = VECTOR.signature.slice(0, 20);
    expect((await verifier.verify(request({ ...vectorHeaders, 'webhook-signature': short }, VECTOR.body))).ok).toBe(
      false,
    );
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const)(
    'refuses a request without %s',
    async (name) => {
      const { [name]: _dropped, ...headers } = vectorHeaders;
      expect(reasonOf(await verifier.verify(request(headers, VECTOR.body)))).toBe(`missing ${name} header`);
    },
  );

  it('refuses a body changed by one byte', async () => {
    const body = new TextEncoder().encode(VECTOR.body);
    for (const index of [0, 20, body.length - 1]) {
      const changed = Uint8Array.from(body);
      changed[index] = (changed[index] as number) ^ 0x01;
      expect(reasonOf(await verifier.verify(request(vectorHeaders, changed)))).toBe('no signature matched');
    }
  });

  it.each(['abc', '', '-', 'NaN', '99999999999999999999'])(
    'refuses the timestamp %j, which is not a number',
    async (timestamp) => {
      const outcome = await verifier.verify(request({ ...vectorHeaders, 'webhook-timestamp': timestamp }, VECTOR.body));
      expect(reasonOf(outcome)).toBe(
        timestamp === '' ? 'missing webhook-timestamp header' : 'webhook-timestamp is not a number of Unix seconds',
      );
    },
  );

  it.each(['1e9', '-1781080794', '0x6a28e2da', '17810807940'])(
    'refuses the timestamp %j, which reads as a time far from now',
    async (timestamp) => {
      const outcome = await verifier.verify(request({ ...vectorHeaders, 'webhook-timestamp': timestamp }, VECTOR.body));
      expect(reasonOf(outcome)).toBe('timestamp outside tolerance');
    },
  );

  // As the reference library does: the timestamp is the number the header starts with, and the signature is over that
  // number written plainly, so these carry the vector's signature, and a signature over their own text is refused.
  it.each(['0001781080794', '+1781080794', '1781080794.0', ' 1781080794', '1781080794abc'])(
    'reads the timestamp %j as the number it starts with, signed as that number',
    async (timestamp) => {
      const headers = { ...vectorHeaders, 'webhook-timestamp': timestamp };
      expect((await verifier.verify(request(headers, VECTOR.body))).ok).toBe(true);
      const textSigned = createHmac('sha256', Buffer.from(VECTOR.secret.slice(6), 'base64'))
        .update(`${VECTOR.id}.${timestamp}.${VECTOR.body}`)
        .digest('base64');
      const signedText = { ...headers, 'webhook-signature': `v1,${textSigned}` };
      expect(reasonOf(await verifier.verify(request(signedText, VECTOR.body)))).toBe('no signature matched');
    },
  );

  it('refuses a signature in non-canonical base64 (other trailing bits, no padding), as the reference does', async () => {
    const canonical = VECTOR.signature.slice(3);
    // 32 bytes are 43 base64 digits and "="; the last digit carries 2 bits of the hash and 4 that must be zero.
    const last = canonical.charAt(42);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sameBytes = alphabet.charAt(alphabet.indexOf(last) + 1);
    const variant = `${canonical.slice(0, 42)}${sameBytes}=`;
    expect(Buffer.from(variant, 'base64')).toEqual(Buffer.from(canonical, 'base64'));
    for (const signature of [variant, canonical.slice(0, 43), `${canonical}=`, `${canonical.slice(0, 43)}==`]) {
      const headers = { ...vectorHeaders, 'webhook-signature': `v1,${signature}` };
      expect(reasonOf(await verifier.verify(request(headers, VECTOR.body)))).toBe('no signature matched');
    }
  });

  it('reads two webhook-signature lines joined by Node with ", ": a valid signature in either place passes', async () => {
    const other = `v1,${randomBytes(32).toString('base64')}`;
    for (const joined of [`${VECTOR.signature}, ${other}`, `${other}, ${VECTOR.signature}`]) {
      const headers = { ...vectorHeaders, 'webhook-signature': joined };
      expect((await verifier.verify(request(headers, VECTOR.body))).ok).toBe(true);
    }
    const bad = { ...vectorHeaders, 'webhook-signature': `${other}, ${other}` };
    expect(reasonOf(await verifier.verify(request(bad, VECTOR.body)))).toBe('no signature matched');
  });

  it('accepts signatures made with either secret during a rotation', async () => {
    const oldSecret = newSecret();
    const newOne = newSecret();
    const rotating = klingSignature({ secrets: [oldSecret, newOne], now: at(1_700_000_000) });
    for (const [secretIndex, secret] of [oldSecret, newOne].entries()) {
      const headers = signKlingWebhook({ secret, body: '{}', timestamp: 1_700_000_000 });
      expect(await rotating.verify(request(headers, '{}'))).toMatchObject({ ok: true, secretIndex });
    }
    const stranger = signKlingWebhook({ secret: newSecret(), body: '{}', timestamp: 1_700_000_000 });
    expect((await rotating.verify(request(stranger, '{}'))).ok).toBe(false);
  });

  it('reads header names in any case, and refuses a repeated header with different values', async () => {
    const mixed = {
      'Webhook-Id': VECTOR.id,
      'WEBHOOK-TIMESTAMP': String(VECTOR.timestamp),
      'Webhook-Signature': VECTOR.signature,
    };
    expect((await verifier.verify(request(mixed, VECTOR.body))).ok).toBe(true);
    const repeated = { ...vectorHeaders, 'webhook-id': [VECTOR.id, 'other'] };
    expect(reasonOf(await verifier.verify(request(repeated, VECTOR.body)))).toBe('missing webhook-id header');
  });

  it('never puts the secret or a signature in a failure reason', async () => {
    const secret = newSecret();
    const withOther = klingSignature({ secrets: secret, now: at(VECTOR.timestamp) });
    const good = signKlingWebhook({ secret, body: VECTOR.body, id: VECTOR.id, timestamp: VECTOR.timestamp });
    const cases = [
      request(vectorHeaders, VECTOR.body),
      request({ ...good, 'webhook-timestamp': '1' }, VECTOR.body),
      request({ ...good, 'webhook-signature': `${good['webhook-signature']}x` }, VECTOR.body),
      request(good, `${VECTOR.body} `),
    ];
    for (const r of cases) {
      const reason = reasonOf(await withOther.verify(r));
      expect(reason).not.toContain(secret);
      expect(reason).not.toContain(secret.slice('whsec_'.length));
      expect(reason).not.toContain(good['webhook-signature'].slice(3));
      expect(reason).not.toContain(VECTOR.signature.slice(3));
    }
  });

  it('throws a KlingConfigError that does not quote a malformed secret', () => {
    const secret = 'whsec_this is not base64 but a password!';
    let caught: unknown;
    try {
      klingSignature({ secrets: [newSecret(), secret] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KlingConfigError);
    const message = (caught as KlingConfigError).message;
    expect(message).toContain('secret #2');
    expect(message).not.toContain('password');
    expect(() => klingSignature({ secrets: [] })).toThrow(KlingConfigError);
    expect(() => klingSignature({ secrets: [''] })).toThrow(KlingConfigError);
    expect(() => signKlingWebhook({ secret, body: '{}' })).toThrow(KlingConfigError);
  });

  it('accepts a secret given without the whsec_ prefix', async () => {
    const bare = VECTOR.secret.slice('whsec_'.length);
    const outcome = await klingSignature({ secrets: bare, now: at(VECTOR.timestamp) }).verify(
      request(vectorHeaders, VECTOR.body),
    );
    expect(outcome.ok).toBe(true);
  });
});
