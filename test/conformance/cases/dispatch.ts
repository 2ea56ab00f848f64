import { expect, it } from 'vitest';
import { ACK_TIMEOUT_MS, legacyBody, newBody, send, taskId, useApp } from '../support.js';
import type { ConformanceTarget } from '../target.js';

const sorted = (calls: readonly string[]) => [...calls].sort();

/** Sends until the answer is not 409 (another delivery of the same event in flight). */
async function sendUntilSettled(...args: Parameters<typeof send>) {
  for (let attempt = 0; ; attempt++) {
    const response = await send(...args);
    if (response.status !== 409 || attempt >= 200) return response;
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Dispatch: each status to its handlers once, duplicates, a throwing handler (500, then redelivery), a slow one (202), out-of-order. */
export function dispatchCases(target: ConformanceTarget): void {
  const { recorder, baseUrl } = useApp(target);

  it('each status reaches exactly its handlers and "*", once each', async () => {
    const id = taskId();
    for (const status of ['submitted', 'processing', 'succeed']) {
      const response = await send(baseUrl(), legacyBody(id, status));
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ ok: true });
    }
    expect(sorted(recorder.callsOf(id))).toEqual(sorted(['submitted', 'processing', 'succeed', '*', '*', '*']));
    expect(recorder.lastEvent(id)).toMatchObject({
      status: 'succeed',
      videos: [{ url: `https://cdn.example.com/${id}.mp4`, duration: 5.1 }],
    });

    const failed = taskId();
    expect((await send(baseUrl(), legacyBody(failed, 'failed'))).status).toBe(200);
    expect(sorted(recorder.callsOf(failed))).toEqual(['*', 'failed']);
    expect(recorder.lastEvent(failed)).toMatchObject({ status: 'failed', message: 'content policy' });

    const fresh = taskId();
    expect((await send(baseUrl(), newBody(fresh, 'succeeded'))).status).toBe(200);
    expect(sorted(recorder.callsOf(fresh))).toEqual(['*', 'succeed']);

    const unknown = taskId();
    expect((await send(baseUrl(), newBody(unknown, 'archived'))).status).toBe(200);
    expect(recorder.callsOf(unknown)).toEqual(['*']);
  });

  it('the same delivery sent 5 times at once is handled once', async () => {
    const id = taskId();
    recorder.behave(id, { delayMs: 50 });
    const body = legacyBody(id, 'succeed');
    const credential = { kind: 'kling', id: `msg_${id}`, timestamp: Math.floor(Date.now() / 1000) } as const;
    const first = await Promise.all(Array.from({ length: 5 }, () => send(baseUrl(), body, { credential })));
    for (const response of first) expect([200, 409]).toContain(response.status);
    const settled = await Promise.all(
      first.map((response) => (response.status === 409 ? sendUntilSettled(baseUrl(), body, { credential }) : response)),
    );
    expect(settled.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(settled.filter((response) => response.json?.duplicate !== true)).toHaveLength(1);
    expect(sorted(recorder.callsOf(id))).toEqual(['*', 'succeed']);
  });

  it('a handler that throws gets 500, and the same delivery again is handled', async () => {
    const id = taskId();
    recorder.behave(id, { failTimes: 1 });
    const body = legacyBody(id, 'succeed');
    const failedOnce = await send(baseUrl(), body);
    expect(failedOnce.status).toBe(500);
    expect(failedOnce.json).toEqual({ error: 'handler_failed' });
    const again = await send(baseUrl(), body);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ ok: true });
    expect(sorted(recorder.callsOf(id))).toEqual(['*', '*', 'succeed', 'succeed']);
    expect((await send(baseUrl(), body)).json).toEqual({ ok: true, duplicate: true });
  });

  it('a handler slower than ackTimeoutMs gets 202 within the budget plus 100 ms, and still completes', async () => {
    const id = taskId();
    recorder.behave(id, { delayMs: ACK_TIMEOUT_MS + 700 });
    const completed = recorder.completion(id);
    const response = await send(baseUrl(), legacyBody(id, 'succeed'));
    expect(response.status).toBe(202);
    expect(response.ms).toBeLessThan(ACK_TIMEOUT_MS + 100);
    await completed;
    const redelivery = await sendUntilSettled(baseUrl(), legacyBody(id, 'succeed'));
    expect(redelivery.json).toEqual({ ok: true, duplicate: true });
    expect(sorted(recorder.callsOf(id))).toEqual(['*', 'succeed']);
  });

  it('nothing after the end: a second terminal state, or any state while the terminal handler runs, is 200 and reaches no handler', async () => {
    const id = taskId();
    expect((await send(baseUrl(), legacyBody(id, 'succeed'))).status).toBe(200);
    const second = await send(baseUrl(), legacyBody(id, 'failed'));
    expect(second.status).toBe(200);
    expect(second.json).toEqual({ ok: true, ignored: 'out-of-order' });
    expect(sorted(recorder.callsOf(id))).toEqual(['*', 'succeed']);

    const running = taskId();
    recorder.behave(running, { delayMs: ACK_TIMEOUT_MS + 400 });
    const completed = recorder.completion(running);
    expect((await send(baseUrl(), legacyBody(running, 'failed'))).status).toBe(202);
    for (const status of ['processing', 'succeed']) {
      const late = await send(baseUrl(), legacyBody(running, status));
      expect(late.status).toBe(200);
      expect(late.json).toEqual({ ok: true, ignored: 'out-of-order' });
    }
    await completed;
    expect(sorted(recorder.callsOf(running))).toEqual(['*', 'failed']);
  });
}
