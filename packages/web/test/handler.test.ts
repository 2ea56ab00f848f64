import { createKlingReceiver, memoryStore, signKlingWebhook, silentLogger } from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';
import { klingWebhooks } from '../src/index.js';

const secret = 'whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=';
const body = (id: string) => JSON.stringify({ task_id: id, task_status: 'succeed' });

function signed(id: string): Request {
  const text = body(id);
  return new Request('https://example.com/webhooks/kling', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signKlingWebhook({ secret, body: text }) },
    body: text,
  });
}

/** A handler whose `succeed` handler waits until `release()` is called. */
function slowHandler(waitUntil?: (work: Promise<unknown>) => void) {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const handled: string[] = [];
  const handler = klingWebhooks({
    verify: { name: 'test', verify: () => ({ ok: true, verifier: 'test' }) },
    store: memoryStore(),
    ackTimeoutMs: 50,
    logger: silentLogger,
    waitUntil,
  });
  handler.receiver.on('succeed', async (event) => {
    await released;
    handled.push(event.taskId);
  });
  return { handler, release, handled };
}

describe('klingWebhooks (web)', () => {
  it('answers 202 when handlers outlast the budget and hands their work to the context’s waitUntil', async () => {
    const option: Promise<unknown>[] = [];
    const { handler, release, handled } = slowHandler((work) => option.push(work));
    const given: Promise<unknown>[] = [];
    const response = await handler(signed('1'), { waitUntil: (work: Promise<unknown>) => given.push(work) });
    expect(response.status).toBe(202);
    expect(given).toHaveLength(1);
    expect(option).toHaveLength(0);
    release();
    await given[0];
    expect(handled).toEqual(['1']);
    // The work recorded completion: the same event again is a duplicate.
    expect(await (await handler(signed('1'))).json()).toEqual({ ok: true, duplicate: true });
  });

  it('uses the waitUntil option when the second argument has none (a Next.js route context, Deno’s info)', async () => {
    const option: Promise<unknown>[] = [];
    const { handler, release } = slowHandler((work) => option.push(work));
    const response = await handler(signed('2'), { params: Promise.resolve({}) });
    expect(response.status).toBe(202);
    expect(option).toHaveLength(1);
    release();
    await option[0];
  });

  it('hands nothing to waitUntil when the handlers answer within the budget', async () => {
    const option: Promise<unknown>[] = [];
    const { handler, release } = slowHandler((work) => option.push(work));
    release();
    expect((await handler(signed('3'))).status).toBe(200);
    expect(option).toHaveLength(0);
  });

  it('413 for a streamed body over maxBodyBytes, with Connection: close (the rest is unread), and no handler', async () => {
    const seen: string[] = [];
    const handler = klingWebhooks({ verify: 'none', maxBodyBytes: 64, logger: silentLogger });
    handler.receiver.on('*', (event) => seen.push(event.taskId));
    const bytes = new TextEncoder().encode(body('4'.repeat(100)));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 40));
        controller.enqueue(bytes.subarray(40));
        controller.close();
      },
    });
    const response = await handler(
      new Request('https://example.com/webhooks/kling', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ error: 'payload_too_large' });
    expect(seen).toEqual([]);
  });

  it('405 with Allow: POST for a GET, which has no body to leave unread (no Connection: close)', async () => {
    const handler = klingWebhooks({ verify: 'none', logger: silentLogger });
    const response = await handler(new Request('https://example.com/webhooks/kling'));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.headers.get('connection')).toBeNull();
  });

  it('405 for a PATCH without touching its body (the server drains or drops it), with Connection: close', async () => {
    const handler = klingWebhooks({ verify: 'none', logger: silentLogger });
    const request = new Request('https://example.com/webhooks/kling', { method: 'PATCH', body: '{}' });
    const response = await handler(request);
    expect(response.status).toBe(405);
    expect(response.headers.get('connection')).toBe('close');
    expect(request.bodyUsed).toBe(false);
    expect(await request.text()).toBe('{}');
  });

  it('serves a receiver made elsewhere (shared with a reconciler, say) when given one', async () => {
    const receiver = createKlingReceiver({ verify: 'none', logger: silentLogger });
    const seen: string[] = [];
    receiver.on('succeed', (event) => seen.push(event.taskId));
    const handler = klingWebhooks({ receiver });
    expect(handler.receiver).toBe(receiver);
    expect((await handler(signed('5'))).status).toBe(200);
    expect(seen).toEqual(['5']);
  });
});
