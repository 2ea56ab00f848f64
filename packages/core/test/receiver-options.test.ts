import {
  callbackToken,
  createKlingReceiver,
  KlingConfigError,
  type KlingReceiverOptions,
  memoryStore,
  signCallbackUrl,
} from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';
import { captureLogger, json, legacyBody, taskId } from './receiver-fixtures.js';

const unsigned = (body: string, url = '/webhooks/kling') => ({
  method: 'POST',
  url,
  headers: { 'content-type': 'application/json' },
  rawBody: Buffer.from(body),
});

describe('createKlingReceiver options', () => {
  it('refuses to start without verify (secure by default)', () => {
    expect(() => createKlingReceiver({} as KlingReceiverOptions)).toThrow(KlingConfigError);
    expect(() => createKlingReceiver({} as KlingReceiverOptions)).toThrow(/verify/);
    expect(() => createKlingReceiver(undefined as never)).toThrow(KlingConfigError);
  });

  it("accepts unverified callbacks only when verify: 'none' is written out", async () => {
    const receiver = createKlingReceiver({ verify: 'none', logger: captureLogger() });
    const seen: string[] = [];
    receiver.on('succeed', (event) => {
      seen.push(event.taskId);
    });
    const id = taskId();
    const response = await receiver.handle(unsigned(legacyBody(id, 'succeed')));
    expect(response.status).toBe(200);
    expect(seen).toEqual([id]);
  });

  it('fills in the defaults', () => {
    const receiver = createKlingReceiver({ verify: 'none' });
    expect(receiver.options).toMatchObject({
      ackTimeoutMs: 4000,
      maxBodyBytes: 1024 * 1024,
      dedupeTtlMs: 7 * 24 * 60 * 60 * 1000,
      leaseMs: 5 * 60 * 1000,
      verify: 'none',
    });
    expect(typeof receiver.options.store.claim).toBe('function');
    expect(typeof receiver.options.logger.warn).toBe('function');
    expect(Object.isFrozen(receiver.options)).toBe(true);
  });

  it.each<[string, Partial<KlingReceiverOptions>, RegExp]>([
    ['ackTimeoutMs 0', { ackTimeoutMs: 0 }, /ackTimeoutMs/],
    ['ackTimeoutMs negative', { ackTimeoutMs: -1 }, /ackTimeoutMs/],
    ['ackTimeoutMs beyond a Node timer', { ackTimeoutMs: 2 ** 31, leaseMs: 2 ** 32 }, /ackTimeoutMs/],
    ['maxBodyBytes NaN', { maxBodyBytes: Number.NaN }, /maxBodyBytes/],
    ['maxBodyBytes fractional', { maxBodyBytes: 10.5 }, /maxBodyBytes/],
    ['dedupeTtlMs Infinity', { dedupeTtlMs: Number.POSITIVE_INFINITY }, /dedupeTtlMs/],
    ['leaseMs as a string', { leaseMs: '300000' as never }, /leaseMs/],
    ['leaseMs not above ackTimeoutMs', { ackTimeoutMs: 5000, leaseMs: 5000 }, /leaseMs.*ackTimeoutMs/],
    ['a store without claim', { store: { complete() {}, release() {} } as never }, /store/],
    ['a logger without warn', { logger: { info() {}, error() {}, debug() {} } as never }, /logger/],
  ])('rejects %s with a KlingConfigError naming the option', (_, bad, message) => {
    expect(() => createKlingReceiver({ verify: 'none', ...bad })).toThrow(KlingConfigError);
    expect(() => createKlingReceiver({ verify: 'none', ...bad })).toThrow(message);
  });

  it('keeps the store it is given', () => {
    const store = memoryStore();
    expect(createKlingReceiver({ verify: 'none', store }).options.store).toBe(store);
  });
});

describe('verification bound to a task', () => {
  const secret = 'callback-token-secret-for-tests-0123456789';

  it('answers 401 when a callback token issued for one task delivers another', async () => {
    const receiver = createKlingReceiver({ verify: callbackToken({ secret }), logger: captureLogger() });
    const seen: string[] = [];
    receiver.on('*', (event) => {
      seen.push(event.taskId);
    });
    const bound = taskId();
    const signed = new URL(await signCallbackUrl('https://app.example.com/webhooks/kling', { secret, taskId: bound }));
    const path = `${signed.pathname}${signed.search}`;

    const other = await receiver.handle(unsigned(legacyBody(taskId(), 'succeed'), path));
    expect(other.status).toBe(401);
    expect(json(other)).toEqual({ error: 'unauthorized' });

    const own = await receiver.handle(unsigned(legacyBody(bound, 'succeed'), path));
    expect(own.status).toBe(200);
    expect(seen).toEqual([bound]);
  });

  it('answers 401 when the external task id differs from the one the token carries', async () => {
    const receiver = createKlingReceiver({ verify: callbackToken({ secret }), logger: captureLogger() });
    const signed = new URL(
      await signCallbackUrl('https://app.example.com/webhooks/kling', { secret, externalTaskId: 'order-1' }),
    );
    const body = legacyBody(taskId(), 'succeed', { task_info: { external_task_id: 'order-2' } });
    const response = await receiver.handle(unsigned(body, `${signed.pathname}${signed.search}`));
    expect(response.status).toBe(401);
  });
});
