import { createKlingReceiver, type KlingStore, memoryStore, silentLogger } from '@kling-webhooks/core';
import { storeKeys } from '@kling-webhooks/core/adapter';
import { describe, expect, it } from 'vitest';
import { json } from './receiver-fixtures.js';

/**
 * With an unauthenticated body (a callback token, or `verify: 'none'`), whoever has the URL chooses the task id and the
 * status, and so the dedupe keys the store keeps for days. The fuzzer found 100 KB ids accepted as keys.
 */
function receiver() {
  const store = memoryStore();
  const claimed: string[] = [];
  const recording: KlingStore = {
    ...store,
    claim: (event, options) => {
      claimed.push(storeKeys.event(event.taskId, event.status));
      return store.claim(event, options);
    },
  };
  const instance = createKlingReceiver({ verify: 'none', store: recording, logger: silentLogger });
  const post = (body: unknown) =>
    instance.handle({
      method: 'POST',
      url: '/webhooks/kling',
      headers: { 'content-type': 'application/json' },
      rawBody: Buffer.from(JSON.stringify(body)),
    });
  return { post, claimed };
}

describe('receiver: dedupe keys stay small whatever the body says', () => {
  it.each<[string, unknown, string]>([
    ['a legacy task id', { task_id: '8'.repeat(100_000), task_status: 'succeed' }, 'task_id'],
    ['a legacy status', { task_id: '1', task_status: 'x'.repeat(100_000) }, 'task_status'],
    ['a new-dialect id', { id: '8'.repeat(257), status: 'succeeded' }, 'id'],
    ['a new-dialect status', { id: '1', status: 'x'.repeat(257) }, 'status'],
    ['a relay event', { event: 'x'.repeat(257), data: { job_id: '1' } }, 'event'],
    ['a relay job id', { event: 'video.completed', data: { job_id: 'j'.repeat(257) } }, 'data.job_id'],
    ['an enveloped id', { code: 0, data: { task_id: '8'.repeat(257), task_status: 'succeed' } }, 'data.task_id'],
  ])('400 for %s over 256 characters, and nothing claimed', async (_name, body, path) => {
    const { post, claimed } = receiver();
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(json(response)).toMatchObject({ error: 'invalid_body', path });
    expect(claimed).toEqual([]);
  });

  it('accepts an id and a status of exactly 256 characters', async () => {
    const { post, claimed } = receiver();
    const response = await post({ task_id: '8'.repeat(256), task_status: 's'.repeat(256) });
    expect(response.status).toBe(200);
    expect(claimed).toEqual([storeKeys.event('8'.repeat(256), 's'.repeat(256))]);
  });
});
