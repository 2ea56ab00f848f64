import { createKlingReceiver, KlingConfigError, klingSignature, memoryStore } from '@kling-webhooks/core';
import { KlingBodyTimeoutError, withBodyDeadline } from '@kling-webhooks/core/adapter';
import { describe, expect, it } from 'vitest';
import { captureLogger, json, legacyBody, SECRET, signedRequest, taskId } from './receiver-fixtures.js';

/** A stream that yields `chunks`, each after `gapMs`, then stalls forever unless `end` is set. */
function slowStream(chunks: Uint8Array[], gapMs: number, end: boolean) {
  const state = { pulled: 0, returned: false };
  const iterator: AsyncIterator<Uint8Array> = {
    async next() {
      const chunk = chunks[state.pulled];
      if (chunk === undefined && !end) return new Promise<never>(() => {});
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      state.pulled++;
      return chunk === undefined ? { done: true, value: undefined } : { done: false, value: chunk };
    },
    async return() {
      state.returned = true;
      return { done: true, value: undefined };
    },
  };
  return { state, stream: { [Symbol.asyncIterator]: () => iterator } };
}

function makeReceiver(bodyTimeoutMs: number) {
  const logger = captureLogger();
  const receiver = createKlingReceiver({
    verify: klingSignature({ secrets: [SECRET] }),
    store: memoryStore(),
    logger,
    bodyTimeoutMs,
  });
  const seen: string[] = [];
  receiver.on('*', (event) => {
    seen.push(event.taskId);
  });
  return { receiver, logger, seen };
}

/** A signed request whose body arrives as `stream` instead of a buffer. */
function streamed(body: string, stream: AsyncIterable<Uint8Array>) {
  const request = signedRequest(body);
  const { 'content-length': _, ...headers } = request.headers;
  return { ...request, headers, rawBody: stream };
}

describe('receiver: bodyTimeoutMs', () => {
  it('defaults to 10 s and refuses a value that is not a positive timer length', () => {
    expect(createKlingReceiver({ verify: 'none' }).options.bodyTimeoutMs).toBe(10_000);
    for (const bad of [0, -1, Number.NaN, 2 ** 31, '500' as never]) {
      expect(() => createKlingReceiver({ verify: 'none', bodyTimeoutMs: bad })).toThrow(KlingConfigError);
      expect(() => createKlingReceiver({ verify: 'none', bodyTimeoutMs: bad })).toThrow(/bodyTimeoutMs/);
    }
  });

  it('answers 408 with Connection: close to a body that stalls, without waiting for it or reaching a handler', async () => {
    const { receiver, logger, seen } = makeReceiver(50);
    const body = legacyBody(taskId(), 'succeed');
    const { stream, state } = slowStream([Buffer.from(body.slice(0, 10))], 0, false);
    const response = await receiver.handle(streamed(body, stream));
    expect(response.status).toBe(408);
    expect(response.headers.connection).toBe('close');
    expect(json(response)).toEqual({ error: 'request_timeout' });
    expect(seen).toEqual([]);
    expect(state.returned).toBe(false);
    expect(logger.at('warn')).toEqual([expect.stringContaining('(408)')]);
  });

  it('is a deadline for the whole body: a sender trickling chunks faster than the timeout still gets 408', async () => {
    const { receiver, seen } = makeReceiver(100);
    const body = legacyBody(taskId(), 'succeed');
    const chunks = [...Buffer.from(body)].map((byte) => Uint8Array.of(byte));
    const { stream, state } = slowStream(chunks, 20, true);
    const response = await receiver.handle(streamed(body, stream));
    expect(response.status).toBe(408);
    expect(state.pulled).toBeLessThan(chunks.length);
    expect(seen).toEqual([]);
  });

  it('lets a stream that ends in time through', async () => {
    const { receiver, seen } = makeReceiver(1000);
    const id = taskId();
    const body = legacyBody(id, 'succeed');
    const { stream } = slowStream([Buffer.from(body.slice(0, 20)), Buffer.from(body.slice(20))], 5, true);
    expect((await receiver.handle(streamed(body, stream))).status).toBe(200);
    expect(seen).toEqual([id]);
  });

  it('maps a stream an adapter wrapped with its own, earlier deadline to 408 as well', async () => {
    const { receiver } = makeReceiver(10_000);
    const body = legacyBody(taskId(), 'succeed');
    const { stream } = slowStream([], 0, false);
    const response = await receiver.handle(streamed(body, withBodyDeadline(stream, 30)));
    expect(response.status).toBe(408);
  });
});

describe('withBodyDeadline', () => {
  it('rejects the pending and every later next() with KlingBodyTimeoutError, without returning the source', async () => {
    const { stream, state } = slowStream([], 0, false);
    const body = withBodyDeadline(stream, 20);
    await expect(body.next()).rejects.toBeInstanceOf(KlingBodyTimeoutError);
    await expect(body.next()).rejects.toMatchObject({ code: 'KLING_BODY_TIMEOUT' });
    expect(state.returned).toBe(false);
  });

  it('passes chunks through and stops its timer once the source ends', async () => {
    const { stream } = slowStream([Uint8Array.of(1), Uint8Array.of(2)], 0, true);
    const body = withBodyDeadline(stream, 30);
    const seen: number[] = [];
    for await (const chunk of body) seen.push(...chunk);
    expect(seen).toEqual([1, 2]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await body.next()).toEqual({ done: true, value: undefined });
  });

  it('passes a source error through unchanged', async () => {
    const failing: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('aborted')) }),
    };
    await expect(withBodyDeadline(failing, 1000).next()).rejects.toThrow('aborted');
  });
});

describe('receiver: streamed chunks', () => {
  it('refuses text chunks (setEncoding was called) with 400 at the first one, instead of reading past the limit', async () => {
    const logger = captureLogger();
    const receiver = createKlingReceiver({ verify: 'none', logger, maxBodyBytes: 1024 });
    let pulled = 0;
    const text: AsyncIterable<Uint8Array> = {
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < 1000; i++) {
          pulled++;
          yield 'x'.repeat(1024) as unknown as Uint8Array;
        }
      },
    };
    const response = await receiver.handle({
      method: 'POST',
      url: '/webhooks/kling',
      headers: { 'content-type': 'application/json' },
      rawBody: text,
    });
    expect(response.status).toBe(400);
    expect(pulled).toBe(1);
    expect(logger.at('warn').join()).toContain('must be bytes');
  });
});
