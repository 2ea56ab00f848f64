import { klingSignature } from '@kling-webhooks/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockKling, mockKling } from '../src/index.js';
import { jwt, klingClaims, type Recorded, recorder } from './helpers.js';

const apiKey = 'test-api-key';
const accessKey = 'ak-test';
const secretKey = 'sk-test-secret';

type Answer = { code: number; message: string; request_id: string; data: Record<string, unknown> & unknown[] };

async function call(
  kling: MockKling,
  method: string,
  path: string,
  body?: unknown,
  authorization = `Bearer ${apiKey}`,
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  const response = await fetch(`${kling.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Answer };
}

const bodyOf = (request: Recorded) => JSON.parse(request.body) as Record<string, unknown>;
const legacyStatus = (request: Recorded) => bodyOf(request).task_status;

describe('mockKling API', () => {
  let kling: MockKling;
  beforeAll(async () => {
    kling = await mockKling({ apiKey, accessKey, secretKey, behaviour: { stepMs: 20 } });
  });
  afterAll(() => kling.close());

  it('creates a legacy task and answers queries by task id and by external task id', async () => {
    const external = `order-${Math.random()}`;
    const created = await call(kling, 'POST', '/v1/videos/text2video', { prompt: 'a fox', external_task_id: external });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ code: 0, message: 'SUCCEED', data: { task_status: 'submitted' } });
    expect(created.json.request_id).toMatch(/^[0-9a-f-]{36}$/);
    const taskId = created.json.data.task_id as string;
    expect(taskId).toMatch(/^[1-9][0-9]{17}$/);
    expect(created.json.data.task_info).toEqual({ external_task_id: external });

    await kling.whenIdle();
    const byId = await call(kling, 'GET', `/v1/videos/text2video/${taskId}`);
    const byExternal = await call(kling, 'GET', `/v1/videos/text2video/${external}`);
    expect(byId.json.data).toMatchObject({ task_id: taskId, task_status: 'succeed' });
    expect(byExternal.json.data).toEqual(byId.json.data);
    expect(byId.json.data.task_result).toEqual({ videos: [expect.objectContaining({ duration: '5.1' })] });
  });

  it('creates a new-dialect task with options.* and answers GET /tasks by task_ids and external_task_ids', async () => {
    const external = `order-${Math.random()}`;
    const created = await call(kling, 'POST', '/text-to-video/kling-3.0', {
      contents: [{ type: 'text', text: 'a fox' }],
      options: { external_task_id: external },
    });
    expect(created.json).toMatchObject({ code: 0, data: { status: 'submitted', external_id: external } });
    const other = await call(kling, 'POST', '/image-to-video/kling-3.0', { options: {} });
    const ids = [created.json.data.id, other.json.data.id] as string[];

    await kling.whenIdle();
    const many = await call(kling, 'GET', `/tasks?task_ids=${ids.join(',')}`);
    expect(many.json.code).toBe(0);
    expect(many.json.data.map((t) => (t as { id: string }).id)).toEqual(ids);
    expect(many.json.data[0]).toMatchObject({ status: 'succeeded', outputs: [{ type: 'video' }] });
    const byExternal = await call(kling, 'GET', `/tasks?external_task_ids=${external}`);
    expect(byExternal.json.data).toEqual([many.json.data[0]]);
    expect((await call(kling, 'GET', '/tasks')).json.code).toBe(1201);
  });

  it('makes images for legacy images/* products', async () => {
    const created = await call(kling, 'POST', '/v1/images/generations', { prompt: 'a fox' });
    await kling.whenIdle();
    const task = await call(kling, 'GET', `/v1/images/generations/${created.json.data.task_id}`);
    expect(task.json.data.task_result).toEqual({ images: [{ index: 0, url: expect.stringMatching(/\.png$/) }] });
  });

  it('refuses an external_task_id used before, an unknown task and a task queried on another product', async () => {
    const external = `order-${Math.random()}`;
    const first = await call(kling, 'POST', '/v1/videos/image2video', { external_task_id: external });
    const again = await call(kling, 'POST', '/v1/videos/image2video', { external_task_id: external });
    expect(again).toMatchObject({ status: 400, json: { code: 1201 } });
    expect((await call(kling, 'GET', '/v1/videos/image2video/123456789012345678')).json.code).toBe(1203);
    const elsewhere = await call(kling, 'GET', `/v1/videos/text2video/${first.json.data.task_id}`);
    expect(elsewhere).toMatchObject({ status: 404, json: { code: 1203 } });
    const badUrl = await call(kling, 'POST', '/v1/videos/text2video', { callback_url: 'not a url' });
    expect(badUrl).toMatchObject({ status: 400, json: { code: 1201 } });
  });

  describe('authentication', () => {
    const now = () => Math.floor(Date.now() / 1000);

    it('accepts the API key and Kling access-key JWTs', async () => {
      const token = jwt(klingClaims(accessKey), secretKey);
      expect((await call(kling, 'POST', '/v1/videos/text2video', {}, `Bearer ${token}`)).json.code).toBe(0);
      expect((await call(kling, 'POST', '/v1/videos/text2video', {})).json.code).toBe(0);
    });

    it.each([
      ['no Authorization header', '', 1001],
      ['a wrong API key', 'Bearer wrong-key', 1000],
      ['not a Bearer credential', `Basic ${apiKey}`, 1002],
      ['a JWT signed with the wrong secret', `Bearer ${jwt(klingClaims(accessKey), 'wrong-secret')}`, 1000],
      ['a JWT for another access key', `Bearer ${jwt(klingClaims('other-ak'), secretKey)}`, 1000],
      ['an expired JWT', `Bearer ${jwt({ iss: accessKey, exp: now() - 10, nbf: now() - 100 }, secretKey)}`, 1004],
      [
        'a JWT not valid yet',
        `Bearer ${jwt({ iss: accessKey, exp: now() + 1800, nbf: now() + 600 }, secretKey)}`,
        1003,
      ],
      ['an alg:none JWT', `Bearer ${jwt(klingClaims(accessKey), secretKey, { alg: 'none' })}`, 1002],
      ['a JWT without exp', `Bearer ${jwt({ iss: accessKey }, secretKey)}`, 1002],
    ])('answers 401 to %s', async (_case, authorization, code) => {
      const answer = await call(kling, 'POST', '/v1/videos/text2video', {}, authorization);
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ code, data: null });
    });

    it('takes only API keys on the new dialect', async () => {
      const token = jwt(klingClaims(accessKey), secretKey);
      const answer = await call(kling, 'POST', '/text-to-video/kling-3.0', {}, `Bearer ${token}`);
      expect(answer).toMatchObject({ status: 401, json: { code: 1000 } });
      expect((await call(kling, 'GET', '/tasks?task_ids=1', undefined, `Bearer ${token}`)).status).toBe(401);
    });
  });
});

describe('mockKling callbacks', () => {
  let receiver: Awaited<ReturnType<typeof recorder>>;
  let kling: MockKling | undefined;
  beforeAll(async () => {
    receiver = await recorder();
  });
  afterEach(async () => {
    await kling?.close();
    receiver.received.length = 0;
  });
  afterAll(() => receiver.close());

  const start = async (behaviour: Parameters<typeof mockKling>[0] = {}) => {
    kling = await mockKling({ apiKey, ...behaviour, behaviour: { stepMs: 20, ...behaviour.behaviour } });
    return kling;
  };
  const createLegacy = async (k: MockKling, extra: Record<string, unknown> = {}) =>
    (await call(k, 'POST', '/v1/videos/text2video', { callback_url: receiver.url, ...extra })).json.data
      .task_id as string;

  it('POSTs every state, signed with the whsec_ secret the way Kling signs (klingSignature verifies it)', async () => {
    const k = await start();
    expect(k.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const taskId = await createLegacy(k, { external_task_id: 'order-7' });
    await k.whenIdle();
    expect(receiver.received.map(legacyStatus)).toEqual(['submitted', 'processing', 'succeed']);
    const verifier = klingSignature({ secrets: [k.webhookSecret!] });
    for (const request of receiver.received) {
      expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
      const outcome = await verifier.verify({ ...request, rawBody: Buffer.from(request.body) });
      expect(outcome.ok).toBe(true);
      expect(bodyOf(request)).toMatchObject({ task_id: taskId, task_info: { external_task_id: 'order-7' } });
    }
    const wrong = klingSignature({ secrets: ['whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI='] });
    const first = receiver.received[0]!;
    expect((await wrong.verify({ ...first, rawBody: Buffer.from(first.body) })).ok).toBe(false);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(3);
    expect(k.stats).toMatchObject({ created: 1, callbacksSent: 3, callbacksDropped: 0, callbacksFailed: 0 });
    expect(k.callbacksSent.map((d) => [d.status, d.responseStatus])).toEqual([
      ['submitted', 200],
      ['processing', 200],
      ['succeed', 200],
    ]);
  });

  it('sends new-dialect bodies for tasks made on new-dialect endpoints', async () => {
    const k = await start();
    await call(k, 'POST', '/image-to-video/kling-3.0', { options: { callback_url: receiver.url } });
    await k.whenIdle();
    expect(receiver.received.map((r) => bodyOf(r).status)).toEqual(['submitted', 'processing', 'succeeded']);
  });

  it('drops the callbacks drop() picks, and a query still shows the state', async () => {
    const k = await start({ behaviour: { drop: (_task, status) => status === 'succeed' } });
    const taskId = await createLegacy(k);
    await k.whenIdle();
    expect(receiver.received.map(legacyStatus)).toEqual(['submitted', 'processing']);
    expect(k.stats.callbacksDropped).toBe(1);
    const polled = await call(k, 'GET', `/v1/videos/text2video/${taskId}`);
    expect(polled.json.data.task_status).toBe('succeed');
  });

  it('duplicates each callback as a separate delivery with its own webhook-id', async () => {
    const k = await start({ behaviour: { duplicate: (_task, status) => (status === 'succeed' ? 2 : 0) } });
    await createLegacy(k);
    await k.whenIdle();
    const succeeded = receiver.received.filter((r) => legacyStatus(r) === 'succeed');
    expect(succeeded).toHaveLength(3);
    expect(new Set(succeeded.map((r) => r.body)).size).toBe(1);
    expect(new Set(succeeded.map((r) => r.headers['webhook-id'])).size).toBe(3);
    expect(k.stats).toMatchObject({ callbacksSent: 5, callbacksDuplicated: 2 });
  });

  it('fails the tasks fail() picks', async () => {
    const k = await start({ behaviour: { fail: () => true } });
    const taskId = await createLegacy(k);
    await k.whenIdle();
    const last = bodyOf(receiver.received.at(-1)!);
    expect(last).toMatchObject({ task_id: taskId, task_status: 'failed', task_status_msg: expect.any(String) });
    expect(last.task_status_msg).not.toBe('');
    expect(last.task_result).toBeUndefined();
  });

  it('reorders: the terminal callback first, then the earlier states newest first', async () => {
    const k = await start({ behaviour: { reorder: true } });
    await createLegacy(k);
    await k.whenIdle();
    expect(receiver.received.map(legacyStatus)).toEqual(['succeed', 'processing', 'submitted']);
  });

  it('delays a callback, which still carries the state it was sent for', async () => {
    const k = await start({ behaviour: { delayMs: (_task, status) => (status === 'submitted' ? 150 : 0) } });
    await createLegacy(k);
    await k.whenIdle();
    expect(receiver.received.map(legacyStatus)).toEqual(['processing', 'succeed', 'submitted']);
  });

  it('sends callbacks unsigned when webhookSecret is false', async () => {
    const k = await start({ webhookSecret: false });
    await createLegacy(k);
    await k.whenIdle();
    expect(k.webhookSecret).toBeUndefined();
    expect(receiver.received).toHaveLength(3);
    expect(receiver.received.some((r) => 'webhook-signature' in r.headers)).toBe(false);
  });

  it('answers what intercept() says, for testing retries and error mapping', async () => {
    const k = await start({
      behaviour: { intercept: ({ method }) => (method === 'GET' ? { status: 429, code: 1302 } : undefined) },
    });
    expect(await call(k, 'GET', '/tasks?task_ids=1')).toMatchObject({ status: 429, json: { code: 1302 } });
    k.setBehaviour({ intercept: undefined });
    expect((await call(k, 'GET', '/tasks?task_ids=1')).status).toBe(200);
  });

  it('close() stops running tasks and releases whenIdle()', async () => {
    const k = await start({ behaviour: { stepMs: 60_000 } });
    await createLegacy(k);
    const idle = k.whenIdle();
    await k.close();
    await expect(idle).resolves.toBeUndefined();
    expect([...k.tasks.values()].map((t) => t.status)).toEqual(['submitted']);
    await expect(fetch(`${k.url}/tasks?task_ids=1`)).rejects.toThrow();
  });

  it('counts callbacks the receiver did not acknowledge', async () => {
    const failing = await recorder(() => 500);
    const k = await start();
    await call(k, 'POST', '/v1/videos/text2video', { callback_url: failing.url });
    await k.whenIdle();
    await failing.close();
    expect(k.stats.callbacksFailed).toBe(3);
    expect(k.callbacksSent.every((d) => d.responseStatus === 500)).toBe(true);
  });
});
