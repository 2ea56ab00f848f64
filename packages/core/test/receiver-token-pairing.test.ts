import {
  callbackToken,
  createKlingReceiver,
  KlingClient,
  type KlingReceiverOptions,
  type KlingTaskEvent,
  memoryStore,
  signCallbackUrl,
} from '@kling-webhooks/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKlingApi, fakeKlingApi, ok, type SeenRequest } from './fake-kling-api.js';
import { captureLogger, json, legacyBody, taskId } from './receiver-fixtures.js';

const TOKEN_SECRET = 'token-secret-for-pairing-tests-0123456789';

function makeReceiver(options: Partial<KlingReceiverOptions> = {}) {
  const store = memoryStore();
  const logger = captureLogger();
  const receiver = createKlingReceiver({ verify: callbackToken({ secret: TOKEN_SECRET }), store, logger, ...options });
  const handled: string[] = [];
  receiver.on('*', (event: KlingTaskEvent) => {
    handled.push(`${event.taskId}:${event.status}`);
  });
  return { receiver, store, logger, handled };
}

/** A callback as Kling sends it to `callbackUrl`: the body names `id` and echoes `ext`. */
async function deliver(
  receiver: ReturnType<typeof makeReceiver>['receiver'],
  callbackUrl: string,
  id: string,
  status: string,
  ext: string,
) {
  const url = new URL(callbackUrl);
  const body = legacyBody(id, status, { task_info: { external_task_id: ext } });
  const started = Date.now();
  const response = await receiver.handle({
    method: 'POST',
    url: `${url.pathname}${url.search}`,
    headers: { 'content-type': 'application/json' },
    rawBody: Buffer.from(body),
  });
  return { ...response, ms: Date.now() - started };
}

const urlFor = (ext: string) =>
  signCallbackUrl('https://app.example/webhooks/kling', { secret: TOKEN_SECRET, externalTaskId: ext });

describe('receiver: a callback token authorizes one task (issue example, through KlingClient)', () => {
  let api: FakeKlingApi;
  let next = 0;
  const ids = ['867283741759111202', '867283741759111203'];
  beforeAll(async () => {
    api = await fakeKlingApi((request: SeenRequest) => {
      const body = request.body as Record<string, unknown>;
      return ok({
        task_id: ids[next++ % 2],
        task_status: 'submitted',
        task_info: { external_task_id: body.external_task_id },
      });
    });
  });
  afterAll(() => api.close());

  it('refuses a body naming task B on task A’s URL (401, no handler, a log line); B’s own callback is then handled', async () => {
    const { receiver, store, logger, handled } = makeReceiver();
    const client = new KlingClient(
      { apiKey: 'key' },
      { baseUrl: api.url, store, callback: { url: 'https://app.example/webhooks/kling', secret: TOKEN_SECRET } },
    );
    const a = await client.createTask('videos/text2video', { prompt: 'a' });
    const b = await client.createTask('videos/text2video', { prompt: 'b' });
    const callbackUrl = (i: number) =>
      String((api.requests[i]?.body as { callback_url?: unknown } | undefined)?.callback_url);
    const urlA = callbackUrl(0);
    const urlB = callbackUrl(1);

    const forged = await deliver(receiver, urlA, b.taskId, 'succeed', a.externalTaskId);
    expect(forged.status).toBe(401);
    expect(handled).toEqual([]);
    expect(logger.at('warn').join('\n')).toContain('callback token is for another task');

    const genuine = await deliver(receiver, urlB, b.taskId, 'succeed', b.externalTaskId);
    expect(genuine.status).toBe(200);
    expect(json(genuine)).toEqual({ ok: true });
    expect(handled).toEqual([`${b.taskId}:succeed`]);
  });
});

describe('receiver: pairing of a token bound to an external id', () => {
  it('processes a callback whose pairing is recorded 200 ms after it arrives (the create answer raced it)', async () => {
    const { receiver, store, handled } = makeReceiver();
    const id = taskId();
    setTimeout(() => void store.pairTask('ext-race', id, 60_000), 200);
    const response = await deliver(receiver, await urlFor('ext-race'), id, 'submitted', 'ext-race');
    expect(response.status).toBe(200);
    expect(response.ms).toBeGreaterThanOrEqual(150);
    expect(handled).toEqual([`${id}:submitted`]);
  });

  it('answers 503 with Retry-After and runs no handler when the pairing stays unknown (after waiting about 1 s)', async () => {
    const { receiver, logger, handled } = makeReceiver();
    const id = taskId();
    const response = await deliver(receiver, await urlFor('ext-unknown'), id, 'succeed', 'ext-unknown');
    expect(response.status).toBe(503);
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(json(response)).toEqual({ error: 'task_not_paired' });
    expect(response.ms).toBeGreaterThanOrEqual(900);
    expect(response.ms).toBeLessThan(2_000);
    expect(handled).toEqual([]);
    expect(logger.at('warn').join('\n')).toContain('not known yet');
  });

  it('asks lookupTask when no pairing is recorded, records its answer, and refuses another task', async () => {
    const asked: string[] = [];
    const id = taskId();
    const { receiver, store, handled } = makeReceiver({
      ackTimeoutMs: 200,
      lookupTask: async (ext) => {
        asked.push(ext);
        return ext === 'ext-known' ? id : undefined;
      },
    });
    const url = await urlFor('ext-known');
    expect((await deliver(receiver, url, taskId(), 'succeed', 'ext-known')).status).toBe(401);
    expect(await store.pairedTaskId('ext-known')).toBe(id);
    expect((await deliver(receiver, url, id, 'succeed', 'ext-known')).status).toBe(200);
    expect(asked).toEqual(['ext-known']);
    expect(handled).toEqual([`${id}:succeed`]);
    expect((await deliver(receiver, await urlFor('ext-other'), id, 'succeed', 'ext-other')).status).toBe(503);
  });

  it('answers 503 when lookupTask fails, and runs no handler', async () => {
    const { receiver, handled, logger } = makeReceiver({
      ackTimeoutMs: 200,
      lookupTask: async () => {
        throw new Error('kling down');
      },
    });
    const id = taskId();
    expect((await deliver(receiver, await urlFor('ext-x'), id, 'succeed', 'ext-x')).status).toBe(503);
    expect(handled).toEqual([]);
    expect(logger.at('warn').join('\n')).toContain('lookupTask failed');
  });

  it('keeps binding a token with a task id (tid) directly, without a pairing', async () => {
    const { receiver, handled } = makeReceiver();
    const id = taskId();
    const url = await signCallbackUrl('https://app.example/webhooks/kling', { secret: TOKEN_SECRET, taskId: id });
    expect((await deliver(receiver, url, id, 'succeed', 'whatever')).status).toBe(200);
    expect((await deliver(receiver, url, taskId(), 'succeed', 'whatever')).status).toBe(401);
    expect(handled).toEqual([`${id}:succeed`]);
  });

  it('dispatches a token-verified body only for the task paired with its external id (random pairings)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 2, maxLength: 5 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 8 }),
        async (exts, requests) => {
          const { receiver, store, handled } = makeReceiver({ ackTimeoutMs: 40 });
          const tasks = exts.map(() => taskId());
          // The last external id is never paired (a task not created through the client).
          for (let i = 0; i < exts.length - 1; i++) await store.pairTask(exts[i] as string, tasks[i] as string, 60_000);
          for (const [t, b] of requests) {
            const token = t % exts.length;
            const body = b % exts.length;
            const ext = exts[token] as string;
            const before = handled.length;
            const response = await deliver(receiver, await urlFor(ext), tasks[body] as string, 'processing', ext);
            const want = token === exts.length - 1 ? 503 : token === body ? 200 : 401;
            expect(response.status).toBe(want);
            if (want !== 200) expect(handled.length).toBe(before);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
