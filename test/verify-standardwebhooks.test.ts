// Interop with the reference Standard Webhooks library. It lives here rather than in packages/core/test because
// `standardwebhooks` is a dependency of this package, not of core.
import { randomBytes } from 'node:crypto';
import { klingSignature, signKlingWebhook } from '@kling-webhooks/core';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const body = '{"id":"913827032734642185","status":"submitted","outputs":[],"message":"","create_time":1785901861504}';

describe('klingSignature and the standardwebhooks package', () => {
  it('verifies what standardwebhooks signs', async () => {
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const date = new Date();
    const signature = new Webhook(secret).sign(id, date, body);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(date.getTime() / 1000)),
      'webhook-signature': signature,
    };
    const rawBody = new TextEncoder().encode(body);
    const verifier = klingSignature({ secrets: secret });
    expect(await verifier.verify({ method: 'POST', url: '/', headers, rawBody })).toEqual({
      ok: true,
      verifier: 'kling-signature',
      secretIndex: 0,
    });
    // The same signature over another body must not verify: the pass above is not a blanket accept.
    const other = new TextEncoder().encode(body.replace('submitted', 'succeeded'));
    expect((await verifier.verify({ method: 'POST', url: '/', headers, rawBody: other })).ok).toBe(false);
  });

  it('signs what standardwebhooks verifies', () => {
    const headers = signKlingWebhook({ secret, body });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    const tampered = { ...headers, 'webhook-id': `${headers['webhook-id']}x` };
    expect(() => new Webhook(secret).verify(body, tampered)).toThrow();
  });
});
