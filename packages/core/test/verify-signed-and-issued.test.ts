import { randomBytes } from 'node:crypto';
import {
  callbackToken,
  createKlingReceiver,
  type KlingVerifier,
  klingSignature,
  memoryStore,
  signCallbackUrl,
  signKlingWebhook,
  silentLogger,
} from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';
import { legacyBody, taskId } from './receiver-fixtures.js';

const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const TOKEN_SECRET = randomBytes(32).toString('hex');

// The composition SECURITY.md recommends when Kling signing is on and the URL should be bound to a task too.
const signature = klingSignature({ secrets: [WEBHOOK_SECRET] });
const token = callbackToken({ secret: TOKEN_SECRET });
const signedAndIssued: KlingVerifier = {
  name: 'kling-signature+callback-token',
  async verify(request) {
    const signed = await signature.verify(request);
    return signed.ok ? token.verify(request) : signed;
  },
};

describe('SECURITY.md: a signature and a bound callback token, both required', () => {
  // The store KlingClient records each created task's pairing in (external id → task id).
  const store = memoryStore();
  const receiver = createKlingReceiver({ verify: signedAndIssued, store, logger: silentLogger });
  const handled: string[] = [];
  receiver.on('*', (event) => {
    handled.push(event.taskId);
  });

  async function deliver(options: { sign: boolean; tokenFor?: string; externalId: string }) {
    const id = taskId();
    await store.pairTask(options.externalId, id, 60_000);
    const body = legacyBody(id, 'succeed', { task_info: { external_task_id: options.externalId } });
    const url =
      options.tokenFor === undefined
        ? 'https://app.example/webhooks/kling'
        : await signCallbackUrl('https://app.example/webhooks/kling', {
            secret: TOKEN_SECRET,
            externalTaskId: options.tokenFor,
          });
    const response = await receiver.handle({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/json',
        ...(options.sign ? signKlingWebhook({ secret: WEBHOOK_SECRET, body }) : {}),
      },
      rawBody: Buffer.from(body),
    });
    return { status: response.status, id };
  }

  it('accepts a signed callback on a URL issued for its task', async () => {
    const { status, id } = await deliver({ sign: true, tokenFor: 'order-1', externalId: 'order-1' });
    expect(status).toBe(200);
    expect(handled).toContain(id);
  });

  it.each([
    ['signed, but on a URL without a token', { sign: true, externalId: 'order-2' }],
    ['on an issued URL, but unsigned', { sign: false, tokenFor: 'order-3', externalId: 'order-3' }],
    ['signed, on a URL issued for another task', { sign: true, tokenFor: 'order-4', externalId: 'order-5' }],
  ])('refuses a callback %s', async (_name, options) => {
    const { status, id } = await deliver(options);
    expect(status).toBe(401);
    expect(handled).not.toContain(id);
  });
});
