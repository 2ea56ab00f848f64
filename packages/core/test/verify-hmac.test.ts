import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KlingConfigError } from '../src/errors.js';
import type { KlingHeaders } from '../src/request.js';
import { hmacSignature, signBody } from '../src/verify/hmac.js';
import type { VerifyOutcome } from '../src/verify/types.js';

const SECRET = 'relay-secret-0123456789';
const BODY = '{"event":"video.completed","data":{"task_id":"867283741759111202","task_status":"succeed"}}';

function request(headers: KlingHeaders, body: string = BODY) {
  return { method: 'POST', url: '/webhooks/kling', headers, rawBody: new TextEncoder().encode(body) };
}

function reasonOf(outcome: VerifyOutcome): string {
  if (outcome.ok) throw new Error('expected a failed outcome');
  return outcome.reason;
}

const verifier = hmacSignature({ secrets: SECRET });

describe('signBody', () => {
  it('is sha256=<hex HMAC-SHA256(secret, body)>, the same for a string and its bytes', () => {
    const expected = `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`;
    expect(signBody(BODY, SECRET)).toBe(expected);
    expect(signBody(new TextEncoder().encode(BODY), SECRET)).toBe(expected);
  });
});

describe('hmacSignature', () => {
  it('accepts a good signature in X-Kling-Signature, any case of name and hex', async () => {
    const signature = signBody(BODY, SECRET);
    expect(await verifier.verify(request({ 'x-kling-signature': signature }))).toEqual({
      ok: true,
      verifier: 'hmac-signature',
      secretIndex: 0,
    });
    expect(
      (await verifier.verify(request({ 'X-Kling-Signature': signature.toUpperCase().replace('SHA256=', 'sha256=') })))
        .ok,
    ).toBe(true);
  });

  it('refuses a signature made with another secret', async () => {
    const outcome = await verifier.verify(request({ 'x-kling-signature': signBody(BODY, 'other-secret') }));
    expect(reasonOf(outcome)).toBe('no signature matched');
  });

  it('refuses a body changed after signing', async () => {
    const outcome = await verifier.verify(request({ 'x-kling-signature': signBody(BODY, SECRET) }, `${BODY} `));
    expect(reasonOf(outcome)).toBe('no signature matched');
  });

  it('refuses a truncated or lengthened signature without throwing', async () => {
    const signature = signBody(BODY, SECRET);
    for (const value of [signature.slice(0, -1), signature.slice(0, -2), `${signature}00`, 'sha256=']) {
      expect(reasonOf(await verifier.verify(request({ 'x-kling-signature': value })))).toBe(
        'x-kling-signature is not sha256=<64 hex digits>',
      );
    }
  });

  it('refuses a signature without the sha256= prefix', async () => {
    const hex = signBody(BODY, SECRET).slice('sha256='.length);
    expect((await verifier.verify(request({ 'x-kling-signature': hex }))).ok).toBe(false);
    expect((await verifier.verify(request({ 'x-kling-signature': `sha1=${hex}` }))).ok).toBe(false);
  });

  it('refuses a good signature sent in another header, and reads a configured one', async () => {
    const signature = signBody(BODY, SECRET);
    expect(reasonOf(await verifier.verify(request({ 'x-hub-signature-256': signature })))).toBe(
      'missing x-kling-signature header',
    );
    const custom = hmacSignature({ secrets: SECRET, header: 'X-Hub-Signature-256' });
    expect((await custom.verify(request({ 'x-hub-signature-256': signature }))).ok).toBe(true);
    expect((await custom.verify(request({ 'x-kling-signature': signature }))).ok).toBe(false);
  });

  it('accepts any secret of a rotation', async () => {
    const rotating = hmacSignature({ secrets: ['old-secret', 'new-secret'] });
    const old = await rotating.verify(request({ 'x-kling-signature': signBody(BODY, 'old-secret') }));
    expect(old).toMatchObject({ ok: true, secretIndex: 0 });
    const current = await rotating.verify(request({ 'x-kling-signature': signBody(BODY, 'new-secret') }));
    expect(current).toMatchObject({ ok: true, secretIndex: 1 });
    expect((await rotating.verify(request({ 'x-kling-signature': signBody(BODY, 'third-secret') }))).ok).toBe(false);
  });

  it('never puts the secret or the signature in a reason', async () => {
    const signature = signBody(BODY, 'other-secret');
    for (const value of [signature, signature.slice(0, 30)]) {
      const reason = reasonOf(await verifier.verify(request({ 'x-kling-signature': value })));
      expect(reason).not.toContain(SECRET);
      expect(reason).not.toContain(value.slice('sha256='.length));
    }
  });

  it('refuses bad options at creation', () => {
    expect(() => hmacSignature({ secrets: [] })).toThrow(KlingConfigError);
    expect(() => hmacSignature({ secrets: '' })).toThrow(KlingConfigError);
    expect(() => hmacSignature({ secrets: SECRET, header: '' })).toThrow(KlingConfigError);
  });
});
