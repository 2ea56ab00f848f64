import { callbackToken, hmacSignature, klingSignature } from '@kling-webhooks/core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCallback, randomWebhookSecret, sendCallback, signedRequest } from '../src/index.js';
import { recorder } from './helpers.js';

const url = 'https://app.example.com/webhooks/kling';
const asRequest = (r: { url: string; headers: Record<string, string>; body: string }) => ({
  method: 'POST',
  url: r.url,
  headers: r.headers,
  rawBody: Buffer.from(r.body),
});

describe('signedRequest', () => {
  const secret = randomWebhookSecret();
  const body = buildCallback({ dialect: 'new', externalTaskId: 'order-1' });

  it('signs like Kling: klingSignature and the standardwebhooks package both verify it', async () => {
    const request = await signedRequest({ url, body, webhookSecret: secret });
    expect(request.body).toBe(JSON.stringify(body));
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect((await klingSignature({ secrets: secret }).verify(asRequest(request))).ok).toBe(true);
    expect(new Webhook(secret).verify(request.body, request.headers)).toEqual(body);
    const other = await klingSignature({ secrets: randomWebhookSecret() }).verify(asRequest(request));
    expect(other.ok).toBe(false);
  });

  it("reproduces Kling's official test vector when given its id and timestamp", async () => {
    const request = await signedRequest({
      url,
      body: '{"id":"1234567890","status":"succeeded","message":"","create_time":1781080778802,"update_time":1781080794151}',
      webhookSecret: 'whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=',
      webhookId: '9876543210',
      timestamp: 1781080794,
    });
    expect(request.headers['webhook-signature']).toBe('v1,UsKlJP00XoQyOn410NM9xv34sP+Gl0jnOO9Lcpr7NJ4=');
  });

  it("puts a callback token bound to the body's external task id in the URL", async () => {
    const request = await signedRequest({ url, body, tokenSecret: 'token-secret' });
    expect(new URL(request.url).searchParams.get('token')).toMatch(/^ey/);
    expect(request.headers['webhook-signature']).toBeUndefined();
    const outcome = await callbackToken({ secret: 'token-secret' }).verify(asRequest(request));
    expect(outcome).toMatchObject({ ok: true, expect: { externalTaskId: 'order-1' } });
    expect((await callbackToken({ secret: 'other' }).verify(asRequest(request))).ok).toBe(false);
  });

  it("adds the relays' X-Kling-Signature header", async () => {
    const request = await signedRequest({ url, body, hmacSecret: 'hmac-secret' });
    expect(request.headers['x-kling-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect((await hmacSignature({ secrets: ['hmac-secret'] }).verify(asRequest(request))).ok).toBe(true);
  });

  it('sends a string body byte for byte and leaves an unsigned request unsigned', async () => {
    const raw = '{ "task_id" : "1",  "task_status":"submitted" }';
    const request = await signedRequest({ url, body: raw });
    expect(request).toEqual({ url, body: raw, headers: { 'content-type': 'application/json; charset=utf-8' } });
  });
});

describe('sendCallback', () => {
  let receiver: Awaited<ReturnType<typeof recorder>>;
  beforeAll(async () => {
    receiver = await recorder((request) => (request.headers['webhook-signature'] ? 200 : 401));
  });
  afterAll(() => receiver.close());

  it('POSTs the signed request and returns the answer and its time', async () => {
    const secret = randomWebhookSecret();
    const answer = await sendCallback(receiver.url, { body: buildCallback(), webhookSecret: secret });
    expect(answer).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(answer.ms).toBeGreaterThanOrEqual(0);
    const received = receiver.received.at(-1)!;
    expect(received.method).toBe('POST');
    expect(new Webhook(secret).verify(received.body, received.headers as Record<string, string>)).toBeTruthy();
    expect((await sendCallback(receiver.url, { body: buildCallback() })).status).toBe(401);
  });

  it('rejects when nothing answers', async () => {
    await expect(sendCallback('http://127.0.0.1:1/', { body: '{}' })).rejects.toThrow();
  });
});
