import { signKlingWebhook } from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';
import { CALLBACK_PATH, legacyBody, send, taskId, useApp, WEBHOOK_SECRET } from '../conformance/support.js';
import { targets } from '../conformance/targets/index.js';
import { stalledRequest, trickledRequest } from './raw-client.js';

const BODY_TIMEOUT_MS = 300;
/** How long the client waits for the server to give up before calling it tied up. */
const CLIENT_DEADLINE_MS = 5000;

/** Headers of a genuine signed callback whose body will never arrive in full. */
function signedHeaders(body: string, framing: 'length' | 'chunked'): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    ...(framing === 'length' ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    ...(framing === 'chunked' ? { 'transfer-encoding': 'chunked' } : {}),
    ...signKlingWebhook({ secret: WEBHOOK_SECRET, body }),
  };
}

describe.each(targets)('$name: a body sent slowly', (target) => {
  const { recorder, baseUrl } = useApp(target, { bodyTimeoutMs: BODY_TIMEOUT_MS });

  it.each(['length', 'chunked'] as const)(
    'stalled past bodyTimeoutMs (%s framing) → 408 and the connection is closed, no handler',
    async (framing) => {
      const id = taskId();
      const body = legacyBody(id, 'succeed');
      const sent = framing === 'chunked' ? `40\r\n${body.slice(0, 64)}\r\n` : body.slice(0, 64);
      const outcome = await stalledRequest(
        baseUrl(),
        CALLBACK_PATH,
        signedHeaders(body, framing),
        sent,
        sent.length,
        CLIENT_DEADLINE_MS,
      );
      expect(outcome.status).toBe(408);
      expect(outcome.closed).toBe(true);
      expect(outcome.ms).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 20);
      expect(outcome.ms).toBeLessThan(CLIENT_DEADLINE_MS);
      expect(recorder.callsOf(id)).toEqual([]);
    },
  );

  it('50 stalled senders at once do not tie the receiver up: genuine callbacks are answered meanwhile', async () => {
    const stalled = Array.from({ length: 50 }, () => {
      const body = legacyBody(taskId(), 'succeed');
      return stalledRequest(baseUrl(), CALLBACK_PATH, signedHeaders(body, 'length'), body, 10, CLIENT_DEADLINE_MS);
    });
    // While all 50 hold their connections open, good callbacks go through at once.
    const good = Array.from({ length: 10 }, () => taskId());
    const answers = await Promise.all(good.map((id) => send(baseUrl(), legacyBody(id, 'succeed'))));
    expect(answers.map((a) => a.status)).toEqual(good.map(() => 200));
    for (const answer of answers) expect(answer.ms).toBeLessThan(BODY_TIMEOUT_MS);
    for (const id of good) expect(recorder.callsOf(id)).toEqual(['succeed', '*']);

    const outcomes = await Promise.all(stalled);
    expect(outcomes.map((o) => o.status)).toEqual(outcomes.map(() => 408));
    expect(outcomes.every((o) => o.closed)).toBe(true);
  });

  it('a body trickled in a byte at a time (never idle long, slow overall) still gets 408', async () => {
    const id = taskId();
    const body = legacyBody(id, 'succeed');
    const outcome = await trickledRequest(
      baseUrl(),
      CALLBACK_PATH,
      signedHeaders(body, 'length'),
      body,
      50,
      CLIENT_DEADLINE_MS,
    );
    expect(outcome.status).toBe(408);
    expect(outcome.closed).toBe(true);
    expect(outcome.written).toBeLessThan(Buffer.byteLength(body));
    expect(recorder.callsOf(id)).toEqual([]);
  });
});
