import { normalize } from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';
import { buildCallback, type CallbackDialect, type CallbackStatus, callbackBody, randomTaskId } from '../src/index.js';

const statuses: CallbackStatus[] = ['submitted', 'processing', 'succeed', 'failed'];
const dialects: [CallbackDialect, 'legacy' | 'new' | 'relay'][] = [
  ['legacy', 'legacy'],
  ['new', 'new'],
  ['relay', 'relay'],
  ['envelope', 'legacy'],
];

describe('buildCallback', () => {
  describe.each(dialects)('%s bodies', (dialect, normalizedDialect) => {
    it.each(statuses)('normalize reads a %s body with its status, ids and dialect', (status) => {
      const taskId = randomTaskId();
      const event = normalize(buildCallback({ dialect, status, taskId, externalTaskId: 'order-42' }));
      expect(event).toMatchObject({ taskId, status, dialect: normalizedDialect });
      if (dialect !== 'relay') expect(event.externalTaskId).toBe('order-42');
      expect(event.videos).toHaveLength(status === 'succeed' ? 1 : 0);
      if (status === 'failed') expect(event.message).not.toBe('');
    });
  });

  it('uses 18-digit string ids by default, fresh each time', () => {
    const a = buildCallback();
    const b = buildCallback({ dialect: 'new' });
    expect(a.task_id).toMatch(/^[1-9][0-9]{17}$/);
    expect(b.id).toMatch(/^[1-9][0-9]{17}$/);
    expect(a.task_id).not.toBe(buildCallback().task_id);
  });

  it("builds a legacy body like Kling's: task_result, task_info, billing, ms times, string durations", () => {
    const body = buildCallback({ externalTaskId: 'order-42', updatedAt: 1774805190123 });
    expect(body).toMatchObject({
      task_status: 'succeed',
      task_status_msg: '',
      created_at: 1774805130123,
      updated_at: 1774805190123,
      task_info: { external_task_id: 'order-42' },
      task_result: { videos: [{ id: expect.any(String), url: expect.stringMatching(/^https:/), duration: '5.1' }] },
      final_unit_deduction: '1',
      final_balance_deduction: { quota: expect.any(String), list_price: expect.any(String) },
    });
    const event = normalize(body);
    expect(event.videos[0]?.duration).toBe(5.1);
    expect(event.billing?.unitDeduction).toBe('1');
  });

  it('builds a new-dialect body: succeeded, outputs[] by type, billing[] of strings', () => {
    const body = buildCallback({ dialect: 'new', images: [{ url: 'https://cdn.example.com/a.png' }] });
    expect(body.status).toBe('succeeded');
    expect(body.outputs).toEqual([
      {
        type: 'image',
        url: 'https://cdn.example.com/a.png',
        watermark_url: 'https://cdn.example.com/a-wm.png',
        group_id: '0',
      },
    ]);
    expect(body.billing?.[0]).toMatchObject({ amount: '1', currency: expect.any(String) });
    const event = normalize(body);
    expect(event).toMatchObject({
      status: 'succeed',
      rawStatus: 'succeeded',
      images: [{ url: 'https://cdn.example.com/a.png' }],
    });
    expect(event.billing?.items).toHaveLength(1);
  });

  it('reports results and billing only when the task succeeded', () => {
    for (const status of ['submitted', 'processing', 'failed'] as const) {
      const legacy = buildCallback({ status });
      expect(legacy.task_result).toBeUndefined();
      expect(legacy.final_unit_deduction).toBeUndefined();
      expect(buildCallback({ status, dialect: 'new' })).toMatchObject({ outputs: [] });
    }
  });

  it('wraps a task in the query envelope of either dialect', () => {
    const legacy = buildCallback({ dialect: 'envelope' });
    const fresh = buildCallback({ dialect: 'envelope', envelopeOf: 'new', status: 'processing' });
    expect(legacy).toMatchObject({ code: 0, message: 'SUCCEED', request_id: expect.any(String) });
    expect(legacy.data).toHaveProperty('task_id');
    expect(normalize(fresh)).toMatchObject({ dialect: 'new', status: 'processing' });
  });

  it("builds the seeds' relay envelope", () => {
    const body = buildCallback({ dialect: 'relay', status: 'succeed' });
    expect(body).toMatchObject({ event: 'video.completed', data: { status: 'completed', duration: 5.1 } });
    expect(normalize(body).videos[0]).toMatchObject({ url: body.data.video_url, duration: 5.1 });
  });

  it('keeps extra fields, which normalize keeps in raw', () => {
    const event = normalize(buildCallback({ extra: { model_name: 'kling-v2-6' } }));
    expect(event.raw.model_name).toBe('kling-v2-6');
  });

  it('callbackBody is the JSON text of the body', () => {
    const text = callbackBody({ taskId: '867283741759111202', updatedAt: 1 });
    expect(JSON.parse(text)).toMatchObject({ task_id: '867283741759111202', updated_at: 1 });
  });
});
