import { randomUUID } from 'node:crypto';
import {
  KlingClient,
  type KlingInvalidTask,
  type KlingLogger,
  KlingTaskNotFoundError,
  KlingValidationError,
  memoryStore,
  silentLogger,
} from '@kling-webhooks/core';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKlingApi, fakeKlingApi, ok, type SeenRequest } from './fake-kling-api.js';

const apiKey = 'api-key-tasks';
const callbackSecret = 'callback-secret-for-tests-0123456789';
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Echoes a create the way Kling does: the task in its initial state, with the external id sent. */
function echoCreate(request: SeenRequest) {
  const body = request.body as Record<string, unknown>;
  if (request.path.startsWith('/v1/')) {
    return ok({
      task_id: '867283741759111202',
      task_status: 'submitted',
      task_info: { external_task_id: body.external_task_id },
      created_at: 1_785_000_000_000,
      updated_at: 1_785_000_000_000,
    });
  }
  const options = body.options as Record<string, unknown>;
  return ok({
    id: '913827032734642185',
    status: 'submitted',
    external_id: options.external_task_id,
    create_time: 1_785_000_000_000,
    update_time: 1_785_000_000_000,
  });
}

function newTask(id: string, status = 'succeeded') {
  return {
    id,
    status,
    external_id: `ext-${id}`,
    outputs: [{ type: 'video', id: `v-${id}`, url: `https://cdn.example.com/${id}.mp4`, duration: '5.1' }],
  };
}

async function tokenClaims(callbackUrl: unknown) {
  const token = new URL(String(callbackUrl)).searchParams.get('token');
  expect(token).toBeTruthy();
  const { payload } = await jwtVerify(token as string, new TextEncoder().encode(callbackSecret), {
    audience: 'kling-callback',
  });
  return payload;
}

describe('KlingClient tasks', () => {
  let api: FakeKlingApi;
  beforeAll(async () => {
    api = await fakeKlingApi(echoCreate);
  });
  afterAll(() => api.close());

  it('creates a legacy task with a token-signed callback_url bound to a generated external_task_id', async () => {
    api.requests.length = 0;
    api.respond = echoCreate;
    const client = new KlingClient(
      { apiKey },
      { baseUrl: api.url, callback: { url: 'https://app.example.com/webhooks/kling?x=1', secret: callbackSecret } },
    );
    const created = await client.createTask('videos/text2video', { model_name: 'kling-v2-6', prompt: 'a red fox' });

    const [request] = api.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/videos/text2video');
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    const body = request?.body as Record<string, unknown>;
    expect(body).toMatchObject({ model_name: 'kling-v2-6', prompt: 'a red fox' });
    expect(body.external_task_id).toMatch(uuid);
    const callbackUrl = new URL(String(body.callback_url));
    expect(callbackUrl.origin + callbackUrl.pathname).toBe('https://app.example.com/webhooks/kling');
    expect(callbackUrl.searchParams.get('x')).toBe('1');
    expect((await tokenClaims(body.callback_url)).ext).toBe(body.external_task_id);

    expect(created).toMatchObject({
      taskId: '867283741759111202',
      externalTaskId: body.external_task_id,
      status: 'submitted',
      product: 'videos/text2video',
      dialect: 'legacy',
      requestId: 'req-ok',
      tracked: false,
    });
    expect(created.event.source).toBe('poll');
  });

  it('creates a new-dialect task with options.callback_url and options.external_task_id, keeping other options', async () => {
    api.requests.length = 0;
    const client = new KlingClient(
      { apiKey },
      { baseUrl: api.url, callback: { url: 'https://app.example.com/hook', secret: callbackSecret, expiresIn: 3600 } },
    );
    const created = await client.createTask('text-to-video/kling-3.0', {
      prompt: 'a red fox',
      settings: { duration: 5 },
      options: { watermark_info: { enabled: true } },
    });
    const [request] = api.requests;
    expect(request?.path).toBe('/text-to-video/kling-3.0');
    const body = request?.body as { options: Record<string, unknown>; settings: unknown };
    expect(body.settings).toEqual({ duration: 5 });
    expect(body).not.toHaveProperty('callback_url');
    expect(body).not.toHaveProperty('external_task_id');
    expect(body.options.watermark_info).toEqual({ enabled: true });
    expect(body.options.external_task_id).toMatch(uuid);
    const claims = await tokenClaims(body.options.callback_url);
    expect(claims.ext).toBe(body.options.external_task_id);
    expect((claims.exp as number) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(3600);
    expect(created).toMatchObject({
      taskId: '913827032734642185',
      externalTaskId: body.options.external_task_id,
      dialect: 'new',
      status: 'submitted',
    });
  });

  it('keeps an external_task_id and callback_url the caller set; sends the plain URL without a secret', async () => {
    api.requests.length = 0;
    const client = new KlingClient({ apiKey }, { baseUrl: api.url, callback: { url: 'https://app.example.com/hook' } });
    await client.createTask('images/generations', { prompt: 'p', external_task_id: 'order-42' });
    await client.createTask('videos/effects', { effect_scene: 'x', callback_url: 'https://mine.example.com/cb' });
    await client.createTask('image-to-video/kling-3.0', { options: { external_task_id: 'order-43' } });
    const [first, second, third] = api.requests.map((r) => r.body as Record<string, Record<string, unknown>>);
    expect(first).toMatchObject({ external_task_id: 'order-42', callback_url: 'https://app.example.com/hook' });
    expect(second?.callback_url).toBe('https://mine.example.com/cb');
    expect(third?.options).toMatchObject({
      external_task_id: 'order-43',
      callback_url: 'https://app.example.com/hook',
    });
  });

  it('records a created task as pending, due fallbackAfterMs after creation', async () => {
    const store = memoryStore();
    const now = 1_785_000_000_000;
    const client = new KlingClient({ apiKey }, { baseUrl: api.url, store, now: () => now, fallbackAfterMs: 60_000 });
    const created = await client.createTask('videos/image2video', { image: 'https://example.com/a.png' });
    expect(created.tracked).toBe(true);
    expect(await store.takeDuePending(now + 59_999, 10, 1000)).toEqual([]);
    const [pending] = await store.takeDuePending(now + 60_000, 10, 1000);
    expect(pending).toMatchObject({
      taskId: created.taskId,
      product: 'videos/image2video',
      externalTaskId: created.externalTaskId,
      createdAt: now,
      attempts: 0,
    });
  });

  it('rejects product paths that are not products', async () => {
    const client = new KlingClient({ apiKey }, { baseUrl: api.url });
    for (const product of ['videos', '../v1/videos/x', 'text-to-video/kling-3.0/extra', 'videos/a?b=1']) {
      await expect(client.createTask(product, {})).rejects.toMatchObject({ code: 'KLING_CONFIG' });
    }
  });

  it('batches getTasks into one GET /tasks?task_ids=a,b,c and normalizes each with source poll', async () => {
    api.requests.length = 0;
    api.respond = (request) =>
      ok(
        (request.query.get('task_ids') ?? '')
          .split(',')
          .map((id) => newTask(id, id === '3' ? 'processing' : 'succeeded')),
      );
    const client = new KlingClient({ apiKey }, { baseUrl: api.url });
    const events = await client.getTasks(['1', '2', '3', '2']);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]?.path).toBe('/tasks');
    expect(api.requests[0]?.rawQuery).toBe('task_ids=1,2,3');
    expect(events.map((e) => [e.taskId, e.status, e.source])).toEqual([
      ['1', 'succeed', 'poll'],
      ['2', 'succeed', 'poll'],
      ['3', 'processing', 'poll'],
    ]);
    expect(events[0]?.videos[0]).toMatchObject({ id: 'v-1', duration: 5.1 });
  });

  it('splits large batches by queryBatchSize and asks by external id on request', async () => {
    api.requests.length = 0;
    api.respond = () => ok([]);
    const client = new KlingClient({ apiKey }, { baseUrl: api.url, queryBatchSize: 2 });
    expect(await client.getTasks(['a', 'b', 'c', 'd', 'e'], { by: 'externalTaskId' })).toEqual([]);
    expect(api.requests.map((r) => r.rawQuery)).toEqual([
      'external_task_ids=a,b',
      'external_task_ids=c,d',
      'external_task_ids=e',
    ]);
    expect(await client.getTasks([])).toEqual([]);
    expect(api.requests).toHaveLength(3);
  });

  it('getTask: legacy by path; new dialect by task id, then by external id; unknown → KlingTaskNotFoundError', async () => {
    api.requests.length = 0;
    const ext = randomUUID();
    api.respond = (request) => {
      if (request.path.startsWith('/v1/')) return ok({ task_id: '42', task_status: 'processing' });
      if (request.query.get('external_task_ids') === ext) return ok([{ ...newTask('77'), external_id: ext }]);
      if (request.query.get('task_ids') === '913827032734642185') return ok([newTask('913827032734642185')]);
      return ok([]);
    };
    const client = new KlingClient({ apiKey }, { baseUrl: api.url });
    expect(await client.getTask('videos/lip-sync', 'order 42/x')).toMatchObject({ taskId: '42', status: 'processing' });
    expect(api.requests[0]?.path).toBe('/v1/videos/lip-sync/order%2042%2Fx');

    expect(await client.getTask('text-to-video/kling-3.0', '913827032734642185')).toMatchObject({
      taskId: '913827032734642185',
      status: 'succeed',
    });
    expect(api.requests[1]?.rawQuery).toBe('task_ids=913827032734642185');

    expect(await client.getTask('text-to-video/kling-3.0', ext)).toMatchObject({ taskId: '77', externalTaskId: ext });
    expect(api.requests[2]?.rawQuery).toBe(`external_task_ids=${ext}`);

    await expect(client.getTask('text-to-video/kling-3.0', '123')).rejects.toBeInstanceOf(KlingTaskNotFoundError);
    expect(api.requests.slice(3).map((r) => r.rawQuery)).toEqual(['task_ids=123', 'external_task_ids=123']);
  });

  it('getTasks keeps the healthy tasks of an answer with unreadable ones and names each unreadable one', async () => {
    api.respond = (request) =>
      ok(
        (request.query.get('task_ids') ?? '')
          .split(',')
          .map((id) => (id.startsWith('bad') ? { id, status: 7 } : newTask(id))),
      );
    const warnings: unknown[] = [];
    const logger: KlingLogger = { ...silentLogger, warn: (_message, context) => warnings.push(context?.taskId) };
    const client = new KlingClient({ apiKey }, { baseUrl: api.url, logger });
    const invalid: KlingInvalidTask[] = [];
    const events = await client.getTasks(['1', 'bad-2', '3', 'bad-4'], { onInvalid: (task) => invalid.push(task) });
    expect(events.map((e) => e.taskId)).toEqual(['1', '3']);
    expect(invalid.map((task) => [task.taskId, task.error.path])).toEqual([
      ['bad-2', 'status'],
      ['bad-4', 'status'],
    ]);
    expect(warnings).toEqual([]);
    // Without onInvalid the client logs each one by id.
    expect((await client.getTasks(['bad-5', '6'])).map((e) => e.taskId)).toEqual(['6']);
    expect(warnings).toEqual(['bad-5']);
    // getTask of an unreadable task says why, rather than "not found".
    await expect(client.getTask('text-to-video/kling-3.0', 'bad-7')).rejects.toBeInstanceOf(KlingValidationError);
  });
});
