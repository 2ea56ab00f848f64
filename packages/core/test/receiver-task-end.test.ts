import { createKlingReceiver, type KlingTaskEvent, klingSignature, memoryStore } from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';
import { captureLogger, deferred, json, legacyBody, SECRET, signedRequest, taskId } from './receiver-fixtures.js';

/** Nothing after the end: a task's terminal state, once claimed, is the last state any handler sees. */
function makeReceiver(ackTimeoutMs = 4_000) {
  const logger = captureLogger();
  const receiver = createKlingReceiver({
    verify: klingSignature({ secrets: [SECRET] }),
    store: memoryStore(),
    logger,
    ackTimeoutMs,
    leaseMs: 60_000,
  });
  const seen: string[] = [];
  receiver.on('*', (event: KlingTaskEvent) => {
    seen.push(event.status);
  });
  return { receiver, logger, seen };
}

describe('receiver: nothing after the end', () => {
  it('answers 200 to a second terminal state after a handled one, logs it, and runs no handler', async () => {
    const { receiver, logger, seen } = makeReceiver();
    const id = taskId();
    expect((await receiver.handle(signedRequest(legacyBody(id, 'succeed')))).status).toBe(200);
    const second = await receiver.handle(signedRequest(legacyBody(id, 'failed')));
    expect(second.status).toBe(200);
    expect(json(second)).toEqual({ ok: true, ignored: 'out-of-order' });
    expect(seen).toEqual(['succeed']);
    expect(logger.at('info').join('\n')).toContain('task already ended');
  });

  it('does not dispatch a state arriving while the terminal handler still runs (after its 202)', async () => {
    const { receiver, seen } = makeReceiver(50);
    const id = taskId();
    const gate = deferred();
    receiver.on('succeed', () => gate.promise);
    const first = await receiver.handle(signedRequest(legacyBody(id, 'succeed')));
    expect(first.status).toBe(202);
    const late = await receiver.handle(signedRequest(legacyBody(id, 'processing')));
    expect(late.status).toBe(200);
    expect(json(late)).toEqual({ ok: true, ignored: 'out-of-order' });
    const otherEnd = await receiver.handle(signedRequest(legacyBody(id, 'failed')));
    expect(otherEnd.status).toBe(200);
    gate.resolve();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual(['succeed']);
  });

  it('opens the task again when the terminal handler fails: the redelivery runs', async () => {
    const { receiver, seen } = makeReceiver();
    const id = taskId();
    let fail = true;
    receiver.on('failed', () => {
      if (fail) throw new Error('disk full');
    });
    expect((await receiver.handle(signedRequest(legacyBody(id, 'failed')))).status).toBe(500);
    fail = false;
    expect((await receiver.handle(signedRequest(legacyBody(id, 'failed')))).status).toBe(200);
    expect(seen).toEqual(['failed', 'failed']);
    expect((await receiver.handle(signedRequest(legacyBody(id, 'processing')))).status).toBe(200);
    expect(seen).toEqual(['failed', 'failed']);
  });
});

describe('receiver: a handler that outlives its lease', () => {
  it('still completes when nobody took the event over: the redelivery is a duplicate and the handler ran once', async () => {
    const logger = captureLogger();
    const receiver = createKlingReceiver({
      verify: klingSignature({ secrets: [SECRET] }),
      store: memoryStore(),
      logger,
      ackTimeoutMs: 20,
      leaseMs: 50,
    });
    let runs = 0;
    const finished = deferred();
    receiver.on('succeed', async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 150));
    });
    receiver.onError(() => {});
    const id = taskId();
    expect((await receiver.handle(signedRequest(legacyBody(id, 'succeed')))).status).toBe(202);
    setTimeout(finished.resolve, 250);
    await finished.promise;
    const redelivery = await receiver.handle(signedRequest(legacyBody(id, 'succeed')));
    expect(json(redelivery)).toEqual({ ok: true, duplicate: true });
    expect(runs).toBe(1);
    expect(logger.at('warn')).toEqual([]);
  });
});
