import { createKlingReceiver, klingSignature } from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';
import { LogLimiter } from '../src/receiver/log-limiter.js';
import { captureLogger, legacyBody, SECRET, signedRequest, taskId } from './receiver-fixtures.js';

describe('receiver logging', () => {
  it('never writes the secret, the signature, the token or the body into a log line', async () => {
    const logger = captureLogger();
    const receiver = createKlingReceiver({ verify: klingSignature({ secrets: [SECRET] }), logger });
    receiver.on('succeed', () => {
      throw new Error('handler failed');
    });
    const id = taskId();
    const body = legacyBody(id, 'succeed', { prompt: 'a-very-private-prompt' });
    const good = signedRequest(body, { url: '/webhooks/kling?token=secret-query-token' });
    const bad = { ...good, headers: { ...good.headers, 'webhook-signature': 'v1,AAAAinvalidsignatureAAAA=' } };
    expect((await receiver.handle(bad)).status).toBe(401);
    expect((await receiver.handle(good)).status).toBe(500);
    expect((await receiver.handle(signedRequest('{"task_id":1,"private":"a-very-private-prompt"}'))).status).toBe(400);

    const all = logger.lines.join('\n');
    expect(logger.lines.length).toBeGreaterThanOrEqual(3);
    for (const forbidden of [
      SECRET,
      SECRET.slice('whsec_'.length),
      String(good.headers['webhook-signature']).slice(3),
      'AAAAinvalidsignatureAAAA',
      'secret-query-token',
      'a-very-private-prompt',
    ]) {
      expect(all).not.toContain(forbidden);
    }
    // What is logged instead: the task and the reason.
    expect(all).toContain(id);
    expect(logger.at('warn').join('\n')).toContain('kling-signature');
  });

  it('logs a bounded number of lines for a flood of bad signatures', async () => {
    const logger = captureLogger();
    const receiver = createKlingReceiver({ verify: klingSignature({ secrets: [SECRET] }), logger });
    const request = signedRequest(legacyBody(taskId(), 'succeed'));
    const forged = { ...request, headers: { ...request.headers, 'webhook-signature': 'v1,Zm9yZ2Vk' } };
    const answers = await Promise.all(Array.from({ length: 5000 }, () => receiver.handle(forged)));
    expect(answers.every((a) => a.status === 401)).toBe(true);
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.length).toBeLessThanOrEqual(10);
  });
});

describe('LogLimiter', () => {
  it('writes up to perWindow lines per kind, then one "suppressed" summary when the next window opens', () => {
    const logger = captureLogger();
    let now = 1_000;
    const limiter = new LogLimiter(logger, { perWindow: 3, windowMs: 1000, now: () => now });
    for (let i = 0; i < 100; i++) limiter.warn('unauthorized', 'rejected', { i });
    limiter.warn('invalid-body', 'bad body', {});
    expect(logger.lines).toHaveLength(4);
    now += 1000;
    limiter.warn('unauthorized', 'rejected', { i: 100 });
    expect(logger.lines).toHaveLength(6);
    expect(logger.lines[4]).toContain('suppressed 97');
    expect(logger.lines[5]).toContain('"i":100');
  });

  it('writes no summary when nothing was suppressed', () => {
    const logger = captureLogger();
    let now = 0;
    const limiter = new LogLimiter(logger, { perWindow: 2, windowMs: 10, now: () => now });
    limiter.error('store', 'down', {});
    now = 50;
    limiter.error('store', 'down', {});
    expect(logger.lines).toEqual(['error down {}', 'error down {}']);
  });
});
