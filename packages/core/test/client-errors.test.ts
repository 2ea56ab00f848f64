import { createServer } from 'node:net';
import { KlingApiError, KlingClient, KlingHttpError, KlingTimeoutError } from '@kling-webhooks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnswer, type FakeKlingApi, fakeKlingApi, klingError, ok } from './fake-kling-api.js';

const apiKey = 'api-key-errors-9a8b7c';
const task = { task_id: '867283741759111202', task_status: 'processing' };

/** Answers each request with the next answer of the list (the last one repeats). */
function sequence(...answers: FakeAnswer[]) {
  let i = 0;
  return () => answers[Math.min(i++, answers.length - 1)] as FakeAnswer;
}

describe('KlingClient errors and retries', () => {
  let api: FakeKlingApi;
  const client = (options: ConstructorParameters<typeof KlingClient>[1] = {}) =>
    new KlingClient({ apiKey }, { baseUrl: api.url, retryBaseMs: 1, retryMaxMs: 5, ...options });

  beforeAll(async () => {
    api = await fakeKlingApi();
  });
  afterAll(() => api.close());

  it('maps a non-zero code to KlingApiError with Kling code, request id, HTTP status and family', async () => {
    api.requests.length = 0;
    api.respond = () => klingError(400, 1201, 'invalid model_name');
    const error = await client()
      .createTask('videos/text2video', { model_name: 'nope' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KlingApiError);
    expect(error).toMatchObject({
      code: 'KLING_API_PARAMS',
      klingCode: 1201,
      category: 'params',
      status: 400,
      requestId: 'req-1201',
      klingMessage: 'invalid model_name',
      retryable: false,
    });
    expect((error as Error).message).toContain('POST /v1/videos/text2video');
  });

  it('treats a non-zero code under HTTP 200 as an error too', async () => {
    api.respond = () => ({ status: 200, body: { code: 1303, message: 'parallel task over resource pack limit' } });
    await expect(client({ retries: 0 }).getTask('videos/text2video', '1')).rejects.toMatchObject({
      klingCode: 1303,
      category: 'policy',
      status: 200,
      retryable: true,
    });
  });

  it.each([
    [1000, 'auth'],
    [1102, 'account'],
    [1203, 'params'],
    [1304, 'policy'],
    [5001, 'server'],
  ])('classifies code %i as %s', async (code, category) => {
    api.respond = () => klingError(code >= 5000 ? 503 : 400, code);
    await expect(client({ retries: 0 }).getTask('videos/text2video', '1')).rejects.toMatchObject({
      klingCode: code,
      category,
    });
  });

  it('retries a GET after HTTP 500 and returns the later success', async () => {
    api.requests.length = 0;
    api.respond = sequence(
      klingError(500, 5000, 'internal'),
      { status: 502, body: '<html>bad gateway</html>' },
      ok(task),
    );
    const event = await client().getTask('videos/text2video', task.task_id);
    expect(event).toMatchObject({ taskId: task.task_id, status: 'processing' });
    expect(api.requests).toHaveLength(3);
  });

  it('retries a GET after 429 rate limiting (1302), honouring Retry-After up to retryMaxMs', async () => {
    api.requests.length = 0;
    api.respond = sequence({ ...klingError(429, 1302, 'rate limit'), headers: { 'retry-after': '1' } }, ok(task));
    const started = performance.now();
    await client({ retryMaxMs: 40 }).getTask('videos/text2video', task.task_id);
    expect(api.requests).toHaveLength(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });

  it('gives up after `retries` and throws the last error', async () => {
    api.requests.length = 0;
    api.respond = () => klingError(503, 5001, 'maintenance');
    await expect(client({ retries: 2 }).getTask('videos/text2video', '1')).rejects.toMatchObject({ klingCode: 5001 });
    expect(api.requests).toHaveLength(3);
  });

  it('does not retry a 429 that waiting cannot fix (resource pack exhausted, 1102)', async () => {
    api.requests.length = 0;
    api.respond = () => klingError(429, 1102, 'resource pack exhausted');
    await expect(client({ retries: 3 }).getTask('videos/text2video', '1')).rejects.toMatchObject({
      klingCode: 1102,
      category: 'account',
      retryable: false,
    });
    expect(api.requests).toHaveLength(1);
  });

  it('never retries a create (POST), even on 500 or 429', async () => {
    for (const answer of [klingError(500, 5000), { status: 429, body: 'slow down' }]) {
      api.requests.length = 0;
      api.respond = sequence(answer, ok(task));
      await expect(client({ retries: 3 }).createTask('videos/text2video', { prompt: 'x' })).rejects.toThrow();
      expect(api.requests).toHaveLength(1);
    }
  });

  it('maps an answer that is not Kling JSON to KlingHttpError with the HTTP status', async () => {
    api.respond = () => ({ status: 502, body: '<html>502 Bad Gateway</html>' });
    const error = await client({ retries: 0 })
      .getTask('videos/text2video', '1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KlingHttpError);
    expect(error).toMatchObject({ code: 'KLING_HTTP', status: 502, retryable: true });
    expect((error as Error).message).not.toContain('Bad Gateway');
  });

  it('times out with KlingTimeoutError (AbortSignal.timeout) and retries GETs that time out', async () => {
    api.requests.length = 0;
    api.respond = () => ({ ...ok(task), delayMs: 300 });
    const error = await client({ timeoutMs: 50, retries: 1 })
      .getTask('videos/text2video', '1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KlingTimeoutError);
    expect(error).toMatchObject({ code: 'KLING_TIMEOUT', timeoutMs: 50 });
    expect(api.requests).toHaveLength(2);

    api.requests.length = 0;
    api.respond = sequence({ ...ok(task), delayMs: 300 }, ok(task));
    await expect(client({ timeoutMs: 50, retries: 1 }).getTask('videos/text2video', '1')).resolves.toMatchObject({
      status: 'processing',
    });
  });

  it('maps a refused connection to a retryable KlingHttpError without a status', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const error = await new KlingClient({ apiKey }, { baseUrl: `http://127.0.0.1:${closedPort}`, retries: 0 })
      .getTask('videos/text2video', '1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KlingHttpError);
    expect(error).toMatchObject({ status: undefined, retryable: true });
    expect(JSON.stringify(error)).not.toContain(apiKey);
  });
});
