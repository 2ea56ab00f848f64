import {
  createKlingReceiver,
  KlingHandlerError,
  type KlingReceiverOptions,
  type KlingStore,
  KlingStoreError,
  type KlingTaskEvent,
  klingSignature,
  memoryStore,
} from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';
import { captureLogger, deferred, json, legacyBody, SECRET, signedRequest, taskId } from './receiver-fixtures.js';

function makeReceiver(options: Partial<KlingReceiverOptions> = {}) {
  const logger = captureLogger();
  const receiver = createKlingReceiver({
    verify: klingSignature({ secrets: [SECRET] }),
    store: memoryStore(),
    logger,
    ...options,
  });
  const errors: { error: unknown; event: KlingTaskEvent | undefined }[] = [];
  receiver.onError((error, event) => errors.push({ error, event }));
  return { receiver, logger, errors };
}

describe('receiver.handle: concurrent deliveries', () => {
  it('answers 409 with Retry-After to a duplicate while the first delivery is in flight', async () => {
    const { receiver } = makeReceiver();
    const gate = deferred();
    let runs = 0;
    receiver.on('succeed', async () => {
      runs++;
      await gate.promise;
    });
    const body = legacyBody(taskId(), 'succeed');
    const first = receiver.handle(signedRequest(body));
    await new Promise((resolve) => setImmediate(resolve));
    const second = await receiver.handle(signedRequest(body));
    expect(second.status).toBe(409);
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(Number(second.headers['retry-after']))).toBe(true);
    gate.resolve();
    expect((await first).status).toBe(200);
    expect(runs).toBe(1);
    expect(json(await receiver.handle(signedRequest(body)))).toEqual({ ok: true, duplicate: true });
  });
});

describe('receiver.handle: handler failures', () => {
  it('answers 500 when a handler throws, releases the lease, and processes the redelivery', async () => {
    const { receiver, errors } = makeReceiver();
    let attempts = 0;
    receiver.on('failed', async () => {
      attempts++;
      if (attempts === 1) throw new Error('database down');
    });
    const body = legacyBody(taskId(), 'failed');
    const first = await receiver.handle(signedRequest(body));
    expect(first.status).toBe(500);
    expect(json(first)).toEqual({ error: 'handler_failed' });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toBeInstanceOf(KlingHandlerError);
    expect((errors[0]?.error as KlingHandlerError | undefined)?.cause).toEqual(new Error('database down'));
    const redelivery = await receiver.handle(signedRequest(body));
    expect(redelivery.status).toBe(200);
    expect(json(redelivery)).toEqual({ ok: true });
    expect(attempts).toBe(2);
  });

  it('catches a synchronous throw the same way', async () => {
    const { receiver } = makeReceiver();
    receiver.on('succeed', () => {
      throw new TypeError('bug');
    });
    expect((await receiver.handle(signedRequest(legacyBody(taskId(), 'succeed')))).status).toBe(500);
  });

  it('answers 202 when handlers outlast the ack budget; their success completes the event', async () => {
    const { receiver, errors } = makeReceiver({ ackTimeoutMs: 30, leaseMs: 60_000 });
    const gate = deferred();
    const done = deferred();
    receiver.on('succeed', async () => {
      await gate.promise;
      done.resolve();
    });
    const body = legacyBody(taskId(), 'succeed');
    const response = await receiver.handle(signedRequest(body));
    expect(response.status).toBe(202);
    expect(json(response)).toEqual({ ok: true, accepted: true });
    // Still running: a redelivery now is in flight, not processed twice.
    expect((await receiver.handle(signedRequest(body))).status).toBe(409);
    gate.resolve();
    await done.promise;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(json(await receiver.handle(signedRequest(body)))).toEqual({ ok: true, duplicate: true });
    expect(errors).toHaveLength(0);
  });

  it('after a 202, a handler failure releases the event and reaches onError', async () => {
    const { receiver, errors } = makeReceiver({ ackTimeoutMs: 30, leaseMs: 60_000 });
    const gate = deferred();
    const reported = deferred();
    receiver.onError(() => reported.resolve());
    let attempts = 0;
    receiver.on('succeed', async () => {
      attempts++;
      if (attempts === 1) {
        await gate.promise;
        throw new Error('upload failed');
      }
    });
    const body = legacyBody(taskId(), 'succeed');
    expect((await receiver.handle(signedRequest(body))).status).toBe(202);
    gate.resolve();
    await reported.promise;
    expect(errors[0]?.error).toBeInstanceOf(KlingHandlerError);
    expect(errors[0]?.event?.status).toBe('succeed');
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Released: the redelivery runs the handler again.
    expect((await receiver.handle(signedRequest(body))).status).toBe(200);
    expect(attempts).toBe(2);
  });

  it('answers at once (no wait for the budget) when handlers are synchronous', async () => {
    const { receiver } = makeReceiver({ ackTimeoutMs: 60_000, leaseMs: 120_000 });
    receiver.on('succeed', () => {});
    const response = await receiver.handle(signedRequest(legacyBody(taskId(), 'succeed')));
    expect(response.status).toBe(200);
  });
});

describe('receiver.handle: store failures', () => {
  it('answers 503 with Retry-After when the claim rejects, dispatching nothing', async () => {
    const broken: KlingStore = {
      ...memoryStore(),
      claim: () => Promise.reject(new KlingStoreError('redis down')),
    };
    const { receiver, logger } = makeReceiver({ store: broken });
    let runs = 0;
    receiver.on('*', () => {
      runs++;
    });
    const response = await receiver.handle(signedRequest(legacyBody(taskId(), 'succeed')));
    expect(response.status).toBe(503);
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(runs).toBe(0);
    expect(logger.at('error').join('\n')).toContain('store claim failed');
  });

  it('answers 200 when complete fails after the handlers succeeded, and logs and reports it', async () => {
    const store = memoryStore();
    const flaky: KlingStore = { ...store, complete: () => Promise.reject(new Error('connection reset')) };
    const { receiver, logger, errors } = makeReceiver({ store: flaky });
    let runs = 0;
    receiver.on('succeed', () => {
      runs++;
    });
    const response = await receiver.handle(signedRequest(legacyBody(taskId(), 'succeed')));
    expect(response.status).toBe(200);
    expect(runs).toBe(1);
    expect(logger.at('error').join('\n')).toContain('store complete failed');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toBeInstanceOf(KlingStoreError);
  });

  it('answers 500 and logs when the receiver itself fails unexpectedly (handle never rejects)', async () => {
    const { receiver, logger } = makeReceiver();
    // An adapter that hands over a malformed request.
    const response = await receiver.handle({ ...signedRequest(legacyBody(taskId(), 'succeed')), method: 42 as never });
    expect(response.status).toBe(500);
    expect(json(response)).toEqual({ error: 'internal_error' });
    expect(logger.at('error')).toHaveLength(1);
  });
});
