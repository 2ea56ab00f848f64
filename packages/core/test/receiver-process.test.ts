import {
  createKlingReceiver,
  KlingHandlerError,
  type KlingStore,
  KlingStoreError,
  type KlingTaskEvent,
  klingSignature,
  memoryStore,
} from '@kling-webhooks/core';
import { storeKeys } from '@kling-webhooks/core/adapter';
import { describe, expect, it } from 'vitest';
import { captureLogger, deferred, json, legacyBody, SECRET, signedRequest, taskId } from './receiver-fixtures.js';

function pollEvent(id: string, status: 'submitted' | 'processing' | 'succeed' | 'failed'): KlingTaskEvent {
  return {
    taskId: id,
    status,
    rawStatus: status,
    message: '',
    videos: [],
    images: [],
    audios: [],
    outputs: [],
    dialect: 'legacy',
    raw: { task_id: id, task_status: status },
    source: 'poll',
  } as KlingTaskEvent;
}

function makeReceiver(store: KlingStore = memoryStore()) {
  const receiver = createKlingReceiver({
    verify: klingSignature({ secrets: [SECRET] }),
    store,
    logger: captureLogger(),
  });
  const seen: KlingTaskEvent[] = [];
  receiver.on('*', (event) => {
    seen.push(event);
  });
  return { receiver, seen };
}

describe('receiver.process (poll results)', () => {
  it('processes a poll result once, and the callback for the same state is then a duplicate', async () => {
    const { receiver, seen } = makeReceiver();
    const id = taskId();
    expect(await receiver.process(pollEvent(id, 'succeed'))).toBe('processed');
    expect(await receiver.process(pollEvent(id, 'succeed'))).toBe('duplicate');
    const callback = await receiver.handle(signedRequest(legacyBody(id, 'succeed')));
    expect(json(callback)).toEqual({ ok: true, duplicate: true });
    expect(seen.map((e) => e.source)).toEqual(['poll']);
  });

  it('answers superseded for a non-terminal state after the terminal one', async () => {
    const { receiver, seen } = makeReceiver();
    const id = taskId();
    expect((await receiver.handle(signedRequest(legacyBody(id, 'failed')))).status).toBe(200);
    expect(await receiver.process(pollEvent(id, 'processing'))).toBe('superseded');
    expect(seen.map((e) => e.status)).toEqual(['failed']);
  });

  it('answers in-flight while a callback of the same state is being handled', async () => {
    const { receiver } = makeReceiver();
    const gate = deferred();
    receiver.on('succeed', () => gate.promise);
    const id = taskId();
    const callback = receiver.handle(signedRequest(legacyBody(id, 'succeed')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await receiver.process(pollEvent(id, 'succeed'))).toBe('in-flight');
    gate.resolve();
    expect((await callback).status).toBe(200);
  });

  it('rejects with KlingHandlerError after releasing when a handler fails', async () => {
    const { receiver } = makeReceiver();
    let attempts = 0;
    receiver.on('failed', () => {
      attempts++;
      if (attempts === 1) throw new Error('mailer down');
    });
    const id = taskId();
    const failure = await receiver.process(pollEvent(id, 'failed')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KlingHandlerError);
    expect((failure as KlingHandlerError).key).toBe(storeKeys.event(id, 'failed'));
    expect(await receiver.process(pollEvent(id, 'failed'))).toBe('processed');
    expect(attempts).toBe(2);
  });

  it('rejects with KlingStoreError when the store cannot claim', async () => {
    const broken: KlingStore = { ...memoryStore(), claim: () => Promise.reject(new Error('ECONNREFUSED')) };
    const { receiver, seen } = makeReceiver(broken);
    await expect(receiver.process(pollEvent(taskId(), 'succeed'))).rejects.toBeInstanceOf(KlingStoreError);
    expect(seen).toHaveLength(0);
  });
});
