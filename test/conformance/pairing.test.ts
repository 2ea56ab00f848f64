import { memoryStore } from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';
import { legacyBody, send, taskId, useApp } from './support.js';
import { targets } from './targets/index.js';

/** A callback body carrying Kling's echo of the external task id. */
const bodyFor = (id: string, status: string, ext: string) =>
  legacyBody(id, status, { task_info: { external_task_id: ext } });

describe.each(targets)('$name: a callback token authorizes one task', (target) => {
  // The store a KlingClient shares with the receiver: it records external id → task id when it creates a task.
  const store = memoryStore();
  const { recorder, baseUrl } = useApp(target, { store });

  it('401 for a token of ext-A on a body naming another task; the paired task and the other task itself go through', async () => {
    const a = taskId();
    const b = taskId();
    await store.pairTask(`ext-${a}`, a, 60_000);
    await store.pairTask(`ext-${b}`, b, 60_000);
    const forged = await send(baseUrl(), bodyFor(b, 'succeed', `ext-${a}`), {
      credential: { kind: 'token', externalTaskId: `ext-${a}` },
    });
    expect(forged.status).toBe(401);
    expect(recorder.callsOf(b)).toEqual([]);

    const genuineB = await send(baseUrl(), bodyFor(b, 'succeed', `ext-${b}`), {
      credential: { kind: 'token', externalTaskId: `ext-${b}` },
    });
    expect(genuineB.status).toBe(200);
    expect(genuineB.json).toEqual({ ok: true });
    const genuineA = await send(baseUrl(), bodyFor(a, 'processing', `ext-${a}`), {
      credential: { kind: 'token', externalTaskId: `ext-${a}` },
    });
    expect(genuineA.status).toBe(200);
    expect([...recorder.callsOf(a)].sort()).toEqual(['*', 'processing']);
  });

  it('503 with Retry-After, and no handler, while the task of the token is not known', async () => {
    const id = taskId();
    const response = await send(baseUrl(), bodyFor(id, 'submitted', `ext-${id}`), {
      credential: { kind: 'token', externalTaskId: `ext-${id}` },
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(recorder.callsOf(id)).toEqual([]);
  });
});
