import { createKlingReceiver, klingSignature, memoryStore } from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';
import { captureLogger, legacyBody, SECRET, signedRequest, taskId } from './receiver-fixtures.js';

function receiver() {
  const own = captureLogger();
  const kling = createKlingReceiver({
    verify: klingSignature({ secrets: [SECRET] }),
    store: memoryStore(),
    logger: own,
    ackTimeoutMs: 50,
  });
  return { kling, own };
}

describe("a request's own logger", () => {
  it("gets that request's lines, and the receiver's logger none of them", async () => {
    const { kling, own } = receiver();
    const mine = captureLogger();
    const forged = signedRequest(legacyBody(taskId(), 'succeed'), { logger: mine });
    const response = await kling.handle({ ...forged, headers: { ...forged.headers, 'webhook-signature': 'v1,AAAA' } });
    expect(response.status).toBe(401);
    expect(mine.at('warn')).toEqual([expect.stringContaining('rejected: verification failed (401)')]);

    kling.on('succeed', () => {
      throw new Error('disk full');
    });
    expect((await kling.handle(signedRequest(legacyBody(taskId(), 'succeed'), { logger: mine }))).status).toBe(500);
    expect(mine.at('error')).toEqual([expect.stringContaining('handler failed')]);
    expect(own.lines).toEqual([]);
  });

  it('keeps getting the lines of handlers that outlive the answer (202)', async () => {
    const { kling, own } = receiver();
    const mine = captureLogger();
    let fail: (error: Error) => void = () => {};
    kling.on('succeed', () => new Promise((_, reject) => (fail = reject)));
    const response = await kling.handle(signedRequest(legacyBody(taskId(), 'succeed'), { logger: mine }));
    expect(response.status).toBe(202);
    fail(new Error('late'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(mine.at('error')).toEqual([expect.stringContaining('handler failed')]);
    expect(own.lines).toEqual([]);
  });

  it('is not needed: without one, lines go to the receiver logger', async () => {
    const { kling, own } = receiver();
    kling.on('succeed', () => {
      throw new Error('disk full');
    });
    expect((await kling.handle(signedRequest(legacyBody(taskId(), 'succeed')))).status).toBe(500);
    expect(own.at('error')).toEqual([expect.stringContaining('handler failed')]);
  });
});
