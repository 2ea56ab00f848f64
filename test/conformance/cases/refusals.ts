import { expect, it } from 'vitest';
import { type Credential, HMAC_SECRET, legacyBody, MAX_BODY_BYTES, send, taskId, useApp } from '../support.js';
import type { ConformanceTarget } from '../target.js';

const OTHER_WEBHOOK_SECRET = `whsec_${Buffer.from('another secret, 24 bytes').toString('base64')}`;

/** Refusals: 401 for each bad credential, 400, 405, 415, 413 (declared and streamed), and no handler call. */
export function refusalCases(target: ConformanceTarget): void {
  const { recorder, baseUrl } = useApp(target);

  it('accepts each kind of credential (so the 401s below are about the credential)', async () => {
    for (const credential of [{ kind: 'kling' }, { kind: 'token' }, { kind: 'hmac' }] as const) {
      const id = taskId();
      expect((await send(baseUrl(), legacyBody(id, 'succeed'), { credential })).status).toBe(200);
      expect(recorder.callsOf(id)).toHaveLength(2);
    }
  });

  const unauthorized: [string, Credential, ((body: string) => string)?][] = [
    ['no credential at all', { kind: 'none' }],
    ['a Kling signature made with another secret', { kind: 'kling', secret: OTHER_WEBHOOK_SECRET }],
    ['a Kling signature over other bytes', { kind: 'kling' }, (body) => body.replace('"succeed"', '"failed"')],
    ['a stale webhook-timestamp', { kind: 'kling', timestamp: Math.floor(Date.now() / 1000) - 3600 }],
    ['a callback token signed with another secret', { kind: 'token', secret: 'not-the-token-secret' }],
    ['an expired callback token', { kind: 'token', expired: true }],
    ['an HMAC made with another secret', { kind: 'hmac', secret: `${HMAC_SECRET}x` }],
    ['an HMAC over other bytes', { kind: 'hmac' }, (body) => `${body} `],
  ];
  it.each(unauthorized)('401 and no handler for %s', async (_name, credential, tamper) => {
    const id = taskId();
    const response = await send(baseUrl(), legacyBody(id, 'succeed'), { credential, tamper });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ error: 'unauthorized' });
    expect(recorder.callsOf(id)).toEqual([]);
  });

  it('400 for malformed JSON, with the signature valid', async () => {
    const response = await send(baseUrl(), '{"task_id":"1","task_status":');
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: 'invalid_body' });
  });

  it('400 naming the bad field for a body that is not a Kling task', async () => {
    const id = taskId();
    const response = await send(baseUrl(), JSON.stringify({ task_id: id, task_status: 42 }));
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: 'invalid_body', path: expect.stringContaining('status') });
    expect(recorder.callsOf(id)).toEqual([]);
  });

  it('405 with Allow: POST for a GET on the callback path', async () => {
    const response = await send(baseUrl(), '', { method: 'GET', credential: { kind: 'none' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('415 for a body that is not JSON', async () => {
    const response = await send(baseUrl(), legacyBody(taskId(), 'succeed'), { contentType: 'text/plain' });
    expect(response.status).toBe(415);
  });

  it.each([
    ['with a content-length', false],
    ['streamed in chunks', true],
  ])('413 for a body over maxBodyBytes, %s, and no handler', async (_name, chunked) => {
    const id = taskId();
    const body = legacyBody(id, 'succeed', { padding: 'x'.repeat(MAX_BODY_BYTES) });
    const response = await send(baseUrl(), body, { chunked });
    expect(response.status).toBe(413);
    expect(response.json).toEqual({ error: 'payload_too_large' });
    expect(recorder.callsOf(id)).toEqual([]);
  });

  it('a body of exactly maxBodyBytes is accepted', async () => {
    const id = taskId();
    const unpadded = legacyBody(id, 'succeed', { padding: '' });
    const body = legacyBody(id, 'succeed', { padding: 'x'.repeat(MAX_BODY_BYTES - unpadded.length) });
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    expect((await send(baseUrl(), body, { chunked: true })).status).toBe(200);
  });
}
