import { createKlingReceiver, type KlingTaskEvent, klingSignature, memoryStore } from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';
import { captureLogger, chunkStream, json, legacyBody, SECRET, signedRequest, taskId } from './receiver-fixtures.js';

function makeReceiver(maxBodyBytes?: number) {
  const logger = captureLogger();
  const store = memoryStore();
  const receiver = createKlingReceiver({ verify: klingSignature({ secrets: [SECRET] }), store, logger, maxBodyBytes });
  const seen: KlingTaskEvent[] = [];
  receiver.on('*', (event) => {
    seen.push(event);
  });
  return { receiver, logger, seen, store };
}

describe('receiver.handle: method, type and size (step 1)', () => {
  it('answers 405 with Allow: POST to any other method', async () => {
    const { receiver, seen } = makeReceiver();
    const response = await receiver.handle(signedRequest(legacyBody(taskId(), 'succeed'), { method: 'GET' }));
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(seen).toHaveLength(0);
  });

  it('accepts the method in any case', async () => {
    const { receiver } = makeReceiver();
    const response = await receiver.handle(signedRequest(legacyBody(taskId(), 'succeed'), { method: 'post' }));
    expect(response.status).toBe(200);
  });

  it.each([
    ['text/plain', 415],
    ['application/x-www-form-urlencoded', 415],
    ['application/jsonp', 415],
    ['text/json', 415],
    ['application/json', 200],
    ['Application/JSON; Charset=UTF-8', 200],
    ['application/cloudevents+json; charset=utf-8', 200],
  ])('content-type %s → %i', async (type, status) => {
    const { receiver } = makeReceiver();
    const request = signedRequest(legacyBody(taskId(), 'succeed'));
    const response = await receiver.handle({ ...request, headers: { ...request.headers, 'content-type': type } });
    expect(response.status).toBe(status);
  });

  it('answers 415 without a content type', async () => {
    const { receiver } = makeReceiver();
    const request = signedRequest(legacyBody(taskId(), 'succeed'));
    const { 'content-type': _, ...headers } = request.headers;
    expect((await receiver.handle({ ...request, headers })).status).toBe(415);
  });

  it('answers 413 from content-length alone, without reading the stream', async () => {
    const { receiver } = makeReceiver(1024);
    const stream = chunkStream([new Uint8Array(10)]);
    const request = signedRequest(legacyBody(taskId(), 'succeed'));
    const response = await receiver.handle({
      ...request,
      headers: { ...request.headers, 'content-length': '1025' },
      rawBody: stream,
    });
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe('close');
    expect(stream.pulled).toBe(0);
  });

  it('answers 413 when a stream without content-length passes the limit, and stops reading', async () => {
    const { receiver } = makeReceiver(1024);
    const stream = chunkStream([new Uint8Array(600), new Uint8Array(600), new Uint8Array(600), new Uint8Array(600)]);
    const request = signedRequest(legacyBody(taskId(), 'succeed'));
    const { 'content-length': _, ...headers } = request.headers;
    const response = await receiver.handle({ ...request, headers, rawBody: stream });
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe('close');
    expect(stream.pulled).toBe(2);
  });

  it('answers 413 to a buffered body over the limit (no Connection: close: nothing is left unread)', async () => {
    const { receiver } = makeReceiver(64);
    const request = signedRequest(legacyBody(taskId(), 'succeed'));
    const { 'content-length': _, ...headers } = request.headers;
    const response = await receiver.handle({ ...request, headers });
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBeUndefined();
  });

  it('reads a body split over chunks and verifies the bytes as received', async () => {
    const { receiver, seen } = makeReceiver();
    const id = taskId();
    const request = signedRequest(legacyBody(id, 'succeed'));
    const bytes = request.rawBody as Uint8Array;
    const stream = chunkStream([bytes.subarray(0, 7), bytes.subarray(7, 50), bytes.subarray(50)]);
    const response = await receiver.handle({ ...request, rawBody: stream });
    expect(response.status).toBe(200);
    expect(seen.map((e) => e.taskId)).toEqual([id]);
  });
});

describe('receiver.handle: verification and parsing (steps 2-3)', () => {
  it('answers 401 to a bad signature, dispatches and stores nothing, and keeps the reason in the log', async () => {
    const { receiver, seen, logger } = makeReceiver();
    const id = taskId();
    const good = signedRequest(legacyBody(id, 'succeed'));
    const tampered = { ...good, rawBody: Buffer.from(legacyBody(id, 'failed')) };
    const response = await receiver.handle(tampered);
    expect(response.status).toBe(401);
    expect(json(response)).toEqual({ error: 'unauthorized' });
    expect(seen).toHaveLength(0);
    expect(logger.at('warn').join('\n')).toContain('kling-signature');
    // Nothing stored: the genuine delivery of the same event is processed, not a duplicate.
    const genuine = await receiver.handle(good);
    expect(json(genuine)).toEqual({ ok: true });
  });

  it('answers 401 when the signature headers are missing', async () => {
    const { receiver } = makeReceiver();
    const response = await receiver.handle({
      method: 'POST',
      url: '/webhooks/kling',
      headers: { 'content-type': 'application/json' },
      rawBody: Buffer.from(legacyBody(taskId(), 'succeed')),
    });
    expect(response.status).toBe(401);
  });

  it('answers 400 with the path of the bad field', async () => {
    const { receiver, seen } = makeReceiver();
    const body = JSON.stringify({
      task_id: taskId(),
      task_status: 'succeed',
      task_result: { videos: [{ id: 'v', url: 'https://cdn.example.com/v.mp4', duration: { no: 1 } }] },
    });
    const response = await receiver.handle(signedRequest(body));
    expect(response.status).toBe(400);
    const answer = json(response);
    expect(answer.error).toBe('invalid_body');
    expect(String(answer.path)).toMatch(/videos.*0.*duration/);
    expect(typeof answer.message).toBe('string');
    expect(seen).toHaveLength(0);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const { receiver } = makeReceiver();
    const response = await receiver.handle(signedRequest('{"task_id": '));
    expect(response.status).toBe(400);
    expect(json(response).error).toBe('invalid_body');
  });
});

describe('receiver.handle: dedupe and dispatch (steps 4-6)', () => {
  it('answers 200 and dispatches the normalized event with the webhook-id as deliveryId', async () => {
    const { receiver, seen } = makeReceiver();
    const id = taskId();
    const request = signedRequest(legacyBody(id, 'succeed'));
    const response = await receiver.handle(request);
    expect(response.status).toBe(200);
    expect(json(response)).toEqual({ ok: true });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ taskId: id, status: 'succeed', source: 'callback' });
    expect(seen[0]?.deliveryId).toBe(request.headers['webhook-id']);
  });

  it('answers a repeated delivery with 200 duplicate and does not dispatch it again', async () => {
    const { receiver, seen } = makeReceiver();
    const body = legacyBody(taskId(), 'processing');
    expect((await receiver.handle(signedRequest(body))).status).toBe(200);
    // Kling re-sends with a new webhook-id: the dedupe key is the task and status, not the delivery.
    const again = await receiver.handle(signedRequest(body));
    expect(again.status).toBe(200);
    expect(json(again)).toEqual({ ok: true, duplicate: true });
    expect(seen).toHaveLength(1);
  });

  it('acknowledges a non-terminal state after the terminal one without dispatching it', async () => {
    const { receiver, seen } = makeReceiver();
    const id = taskId();
    expect((await receiver.handle(signedRequest(legacyBody(id, 'succeed')))).status).toBe(200);
    const late = await receiver.handle(signedRequest(legacyBody(id, 'processing')));
    expect(late.status).toBe(200);
    expect(json(late)).toEqual({ ok: true, ignored: 'out-of-order' });
    expect(seen.map((e) => e.status)).toEqual(['succeed']);
  });

  it('dispatches states of one task in order and a terminal state after a non-terminal one', async () => {
    const { receiver, seen } = makeReceiver();
    const id = taskId();
    for (const status of ['submitted', 'processing', 'failed']) {
      expect((await receiver.handle(signedRequest(legacyBody(id, status)))).status).toBe(200);
    }
    expect(seen.map((e) => e.status)).toEqual(['submitted', 'processing', 'failed']);
  });

  it("hands an unknown status to '*' handlers only and answers 200", async () => {
    const { receiver, seen } = makeReceiver();
    const specific: string[] = [];
    for (const status of ['submitted', 'processing', 'succeed', 'failed'] as const) {
      receiver.on(status, () => {
        specific.push(status);
      });
    }
    const response = await receiver.handle(signedRequest(legacyBody(taskId(), 'queued_for_review')));
    expect(response.status).toBe(200);
    expect(specific).toEqual([]);
    expect(seen.map((e) => [e.status, e.rawStatus])).toEqual([['unknown', 'queued_for_review']]);
  });
});
