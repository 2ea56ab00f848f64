import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { takeArrivedBody } from '@kling-webhooks/core/adapter';
import { describe, expect, it } from 'vitest';

const BODY = Buffer.from('{"task_id":"1","task_status":"succeed"}');

/** A request as the HTTP parser leaves it: headers set, `pushed` in its buffer, complete when `complete`. */
function request(pushed: Buffer[], { complete = false, length = BODY.length } = {}): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = { 'content-length': String(length) };
  for (const chunk of pushed) req.push(chunk);
  if (complete) {
    req.push(null);
    req.complete = true;
  }
  return req;
}

describe('takeArrivedBody', () => {
  it('takes a body the parser completed, or one whose content-length is all buffered', async () => {
    expect(await takeArrivedBody(request([BODY], { complete: true }), 1024)).toEqual(BODY);
    expect(await takeArrivedBody(request([BODY.subarray(0, 5), BODY.subarray(5)]), 1024)).toEqual(BODY);
    expect(await takeArrivedBody(request([], { complete: true, length: 0 }), 1024)).toEqual(new Uint8Array(0));
  });

  it('looks once more after a microtask, when the parser pushes what came with the headers', async () => {
    const req = request([]);
    const taken = takeArrivedBody(req, 1024);
    req.push(BODY);
    expect(await taken).toEqual(BODY);
  });

  it('leaves to the stream reader a body still on its way, too large, already read, or not a request', async () => {
    expect(await takeArrivedBody(request([BODY.subarray(0, 5)]), 1024)).toBeUndefined();
    expect(await takeArrivedBody(request([BODY], { complete: true }), 10)).toBeUndefined();
    const read = request([BODY], { complete: true });
    read.read(1);
    expect(await takeArrivedBody(read, 1024)).toBeUndefined();
    expect(await takeArrivedBody(Readable.from([BODY]), 1024)).toBeUndefined();
    expect(await takeArrivedBody(BODY, 1024)).toBeUndefined();
  });

  it('leaves a request whose chunks were decoded to text to the stream reader (which refuses it)', async () => {
    const req = request([BODY], { complete: true });
    req.setEncoding('utf8');
    await expect(takeArrivedBody(req, 1024)).resolves.toBeUndefined();
  });
});
