import {
  callbackToken,
  createReconciler,
  KlingApiError,
  KlingClient,
  klingSignature,
  memoryStore,
  silentLogger,
} from '@kling-webhooks/core';
import { type MockKling, mockKling } from '@kling-webhooks/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver } from './receiver.js';

// KlingClient (core) against the mock Kling API (testing) over real HTTP: the two must speak the same protocol.
const apiKey = 'test-api-key';
const accessKey = 'ak-test';
const secretKey = 'sk-test';

describe('KlingClient against mockKling', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closing.splice(0).map((close) => close()));
  });
  const start = async (options: Parameters<typeof mockKling>[0]) => {
    const kling = await mockKling({ apiKey, accessKey, secretKey, ...options });
    closing.push(() => kling.close());
    return kling;
  };
  const receive = async (kling: MockKling) => {
    const receiver = await startReceiver({ verify: klingSignature({ secrets: [kling.webhookSecret!] }) });
    closing.push(receiver.close);
    return receiver;
  };

  it.each([
    ['API key', { apiKey }],
    ['access key JWT', { accessKey, secretKey }],
  ] as const)('creates legacy tasks with %s; each state reaches the handlers once, verified', async (_mode, auth) => {
    const kling = await start({ behaviour: { stepMs: 20 } });
    const receiver = await receive(kling);
    const client = new KlingClient(auth, { baseUrl: kling.url, callback: { url: receiver.url }, logger: silentLogger });
    const task = await client.createTask('videos/text2video', { model_name: 'kling-v2-6', prompt: 'a red fox' });
    expect(task).toMatchObject({ status: 'submitted', dialect: 'legacy' });
    expect(kling.tasks.get(task.taskId)?.externalTaskId).toBe(task.externalTaskId);
    await kling.whenIdle();
    expect(receiver.calls.map((e) => [e.taskId, e.status, e.externalTaskId])).toEqual(
      ['submitted', 'processing', 'succeed'].map((status) => [task.taskId, status, task.externalTaskId]),
    );
    const polled = await client.getTask('videos/text2video', task.externalTaskId);
    expect(polled).toMatchObject({ taskId: task.taskId, status: 'succeed', source: 'poll' });
    expect(polled.videos).toEqual(receiver.calls[2]?.videos);
  });

  it('creates new-dialect tasks (options.callback_url) and reads them back in one GET /tasks', async () => {
    const kling = await start({ behaviour: { stepMs: 20 } });
    const receiver = await receive(kling);
    const client = new KlingClient(
      { apiKey },
      { baseUrl: kling.url, callback: { url: receiver.url }, logger: silentLogger },
    );
    const tasks = await Promise.all(
      ['a fox', 'a cat'].map((prompt) =>
        client.createTask('text-to-video/kling-3.0', { contents: [{ type: 'text', text: prompt }] }),
      ),
    );
    await kling.whenIdle();
    const events = await client.getTasks(tasks.map((t) => t.taskId));
    expect(events.map((e) => [e.taskId, e.status, e.dialect])).toEqual(tasks.map((t) => [t.taskId, 'succeed', 'new']));
    expect(receiver.calls.filter((e) => e.status === 'succeed')).toHaveLength(2);
  });

  it("maps the mock's auth refusals to KlingApiError", async () => {
    const kling = await start({});
    const wrongKey = new KlingClient({ apiKey: 'wrong' }, { baseUrl: kling.url, logger: silentLogger });
    await expect(wrongKey.createTask('videos/text2video', {})).rejects.toMatchObject({ klingCode: 1000 });
    const jwtOnNew = new KlingClient({ accessKey, secretKey }, { baseUrl: kling.url, logger: silentLogger });
    await expect(jwtOnNew.createTask('text-to-video/kling-3.0', {})).rejects.toBeInstanceOf(KlingApiError);
    const wrongSecret = new KlingClient({ accessKey, secretKey: 'nope' }, { baseUrl: kling.url, logger: silentLogger });
    await expect(wrongSecret.getTask('videos/text2video', '1')).rejects.toMatchObject({ klingCode: 1000 });
  });

  it('with a callback token and unsigned callbacks, the token in callback_url verifies each one', async () => {
    const kling = await start({ webhookSecret: false, behaviour: { stepMs: 20 } });
    // One store for both: the client records each task's external id → task id, which the token is checked against.
    const store = memoryStore();
    const receiver = await startReceiver({ verify: callbackToken({ secret: 'token-secret' }), store });
    closing.push(receiver.close);
    const client = new KlingClient(
      { apiKey },
      { baseUrl: kling.url, callback: { url: receiver.url, secret: 'token-secret' }, store, logger: silentLogger },
    );
    await client.createTask('videos/image2video', { image: 'https://example.com/a.png' });
    await kling.whenIdle();
    expect(receiver.calls.map((e) => e.status)).toEqual(['submitted', 'processing', 'succeed']);
    expect(kling.callbacksSent.every((d) => d.responseStatus === 200)).toBe(true);
  });

  it('a dropped terminal callback is recovered by the reconciler exactly once; a duplicated one runs once', async () => {
    const kling = await start({
      behaviour: {
        stepMs: 20,
        drop: (task, status) => status === 'succeed' && task.request.prompt === 'lost',
        duplicate: (task, status) => (status === 'succeed' && task.request.prompt === 'twice' ? 2 : 0),
      },
    });
    const store = memoryStore();
    const receiver = await startReceiver({ verify: klingSignature({ secrets: [kling.webhookSecret!] }), store });
    closing.push(receiver.close);
    const client = new KlingClient(
      { apiKey },
      { baseUrl: kling.url, callback: { url: receiver.url }, store, fallbackAfterMs: 0, logger: silentLogger },
    );
    const lost = await client.createTask('videos/text2video', { prompt: 'lost' });
    const twice = await client.createTask('videos/text2video', { prompt: 'twice' });
    await kling.whenIdle();
    const succeeded = () => receiver.calls.filter((e) => e.status === 'succeed');
    expect(succeeded().map((e) => e.taskId)).toEqual([twice.taskId]);
    expect(kling.stats).toMatchObject({ callbacksDropped: 1, callbacksDuplicated: 2 });

    const reconciler = createReconciler({
      client,
      receiver: receiver.receiver,
      store,
      fallbackAfterMs: 0,
      logger: silentLogger,
    });
    const report = await reconciler.tick();
    expect(report.dispatched).toBe(1);
    await reconciler.tick();
    const recovered = succeeded().filter((e) => e.taskId === lost.taskId);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]?.source).toBe('poll');
    expect(succeeded()).toHaveLength(2);
  });
});
