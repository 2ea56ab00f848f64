import {
  type KlingNormalizeContext,
  type KlingTaskEvent,
  KlingValidationError,
  normalize,
  normalizeMany,
} from '@kling-webhooks/core';
import { parseJson } from '@kling-webhooks/core/adapter';
import { describe, expect, it } from 'vitest';
import { expectValidEvent } from './event-contract.js';

/** Normalizes and checks the result against the event contract, so every case below also proves that. */
function check(body: unknown, context?: KlingNormalizeContext): KlingTaskEvent {
  const event = normalize(body, context);
  expectValidEvent(event);
  return event;
}

/** The validation error `normalize` throws for a body. */
function failure<T>(body: T, normalizer: (body: T) => unknown = normalize): KlingValidationError {
  try {
    normalizer(body);
  } catch (error) {
    expect(error).toBeInstanceOf(KlingValidationError);
    return error as KlingValidationError;
  }
  throw new Error('expected a KlingValidationError');
}

const json = (text: string) => parseJson(new TextEncoder().encode(text));

// docs/kling-protocol.md §2, verbatim.
const legacyExample = `{"task_id":"867283741759111202","task_status":"succeed","task_status_msg":"","created_at":1774805076166,
 "updated_at":1774805190123,"final_unit_deduction":"1","task_info":{"external_task_id":"order-42"},
 "task_result":{"videos":[{"id":"v-1","url":"https://cdn.example.com/v.mp4","duration":"5.1"}]}}`;
const officialTestCallback =
  '{"id":"913827032734642185","status":"submitted","outputs":[],"message":"","create_time":1785901861504,"update_time":1785901861504}';
// docs/kling-protocol.md §3: the body of the official signature test vector.
const signatureVectorBody =
  '{"id":"1234567890","status":"succeeded","message":"","create_time":1781080778802,"update_time":1781080794151}';

describe('normalize: Kling legacy dialect', () => {
  it('maps the documented legacy example', () => {
    const body = json(legacyExample);
    const event = check(body);
    expect(event).toMatchObject({
      taskId: '867283741759111202',
      status: 'succeed',
      rawStatus: 'succeed',
      externalTaskId: 'order-42',
      message: '',
      dialect: 'legacy',
      source: 'callback',
      videos: [{ id: 'v-1', url: 'https://cdn.example.com/v.mp4', duration: 5.1 }],
      images: [],
      audios: [],
      outputs: [],
      billing: { unitDeduction: '1', items: [] },
    });
    expect(event.createdAt).toEqual(new Date(1774805076166));
    expect(event.updatedAt).toEqual(new Date(1774805190123));
    expect(event.raw).toBe(body);
  });

  it('maps images, watermarks, the status message and both billing fields', () => {
    const event = check({
      task_id: 't-img',
      task_status: 'failed',
      task_status_msg: 'content policy',
      task_result: {
        images: [
          { index: 0, url: 'https://cdn.example.com/0.png' },
          { index: 1, url: 'https://cdn.example.com/1.png', watermark_url: 'https://cdn.example.com/1w.png' },
        ],
      },
      final_unit_deduction: '2',
      final_balance_deduction: { quota: '10', list_price: '0.28' },
    });
    expect(event.status).toBe('failed');
    expect(event.message).toBe('content policy');
    expect(event.images).toEqual([
      { index: 0, url: 'https://cdn.example.com/0.png' },
      { index: 1, url: 'https://cdn.example.com/1.png', watermarkUrl: 'https://cdn.example.com/1w.png' },
    ]);
    expect(event.billing).toEqual({
      unitDeduction: '2',
      balanceDeduction: { quota: '10', listPrice: '0.28' },
      items: [],
    });
  });

  it('accepts the new spelling `succeeded` in a legacy body and null for absent optional fields', () => {
    const event = check({ task_id: 't', task_status: 'succeeded', task_status_msg: null, task_info: null });
    expect(event.status).toBe('succeed');
    expect(event.rawStatus).toBe('succeeded');
    expect(event.message).toBe('');
    expect(event.externalTaskId).toBeUndefined();
    expect(event.billing).toBeUndefined();
  });
});

describe('normalize: Kling new dialect', () => {
  it('maps the official test callback (status submitted, no outputs)', () => {
    const event = check(json(officialTestCallback));
    expect(event).toMatchObject({
      taskId: '913827032734642185',
      status: 'submitted',
      rawStatus: 'submitted',
      message: '',
      dialect: 'new',
      videos: [],
      outputs: [],
    });
    expect(event.createdAt?.getTime()).toBe(1785901861504);
    expect(event.billing).toBeUndefined();
  });

  it('maps the body of the official signature test vector: `succeeded` → succeed', () => {
    const event = check(json(signatureVectorBody));
    expect(event.taskId).toBe('1234567890');
    expect(event.status).toBe('succeed');
    expect(event.rawStatus).toBe('succeeded');
    expect(event.updatedAt).toEqual(new Date(1781080794151));
  });

  it('sorts outputs by type and keeps every output as sent', () => {
    const outputs = [
      { type: 'video', id: 'v1', url: 'https://x/v.mp4', watermark_url: 'https://x/vw.mp4', duration: '10.04' },
      { type: 'image', url: 'https://x/i.png', watermark_url: 'https://x/iw.png', group_id: 'g-1' },
      {
        type: 'audio',
        id: 'a1',
        mp3_url: 'https://x/a.mp3',
        wav_url: 'https://x/a.wav',
        mp3_duration: '3.2',
        wav_duration: 3.25,
      },
      { type: 'voice', voice_id: 'vo-1', anything: { nested: true } },
      { type: 'element', id: 42 },
    ];
    const body = { id: '913827032734642186', status: 'succeeded', external_id: 'order-7', outputs };
    const event = check(body);
    expect(event.externalTaskId).toBe('order-7');
    expect(event.videos).toEqual([
      { id: 'v1', url: 'https://x/v.mp4', watermarkUrl: 'https://x/vw.mp4', duration: 10.04 },
    ]);
    expect(event.images).toEqual([{ url: 'https://x/i.png', watermarkUrl: 'https://x/iw.png', groupId: 'g-1' }]);
    expect(event.audios).toEqual([
      { id: 'a1', mp3Url: 'https://x/a.mp3', wavUrl: 'https://x/a.wav', mp3Duration: 3.2, wavDuration: 3.25 },
    ]);
    expect(event.outputs).toHaveLength(5);
    for (const [i, output] of outputs.entries()) expect(event.outputs[i]).toBe(output);
  });

  it('maps billing[] items from snake_case to camelCase', () => {
    const event = check({
      id: 'b',
      status: 'succeeded',
      billing: [
        {
          charge_type: 'video',
          cash_type: 'unit',
          amount: '1.5',
          currency: 'USD',
          package_type: 'trial',
          list_price: '0.42',
        },
        { amount: 2 },
      ],
    });
    expect(event.billing).toEqual({
      items: [
        {
          chargeType: 'video',
          cashType: 'unit',
          amount: '1.5',
          currency: 'USD',
          packageType: 'trial',
          listPrice: '0.42',
        },
        { amount: '2' },
      ],
    });
  });
});

describe('normalize: query envelope', () => {
  it('unwraps a legacy `data` and keeps the whole envelope as raw', () => {
    const body = { code: 0, message: 'SUCCEED', request_id: 'r-1', data: json(legacyExample) };
    const event = check(body, { source: 'poll' });
    expect(event.dialect).toBe('legacy');
    expect(event.taskId).toBe('867283741759111202');
    expect(event.videos[0]?.duration).toBe(5.1);
    expect(event.source).toBe('poll');
    expect(event.raw).toBe(body);
  });

  it('unwraps a new-dialect `data`', () => {
    const event = check({ code: 0, message: 'success', data: json(signatureVectorBody) });
    expect(event.dialect).toBe('new');
    expect(event.status).toBe('succeed');
  });

  it('reports bad fields of `data` under `data.`', () => {
    expect(failure({ code: 0, data: { task_id: 't', task_status: 'succeed', created_at: 'yesterday' } }).path).toBe(
      'data.created_at',
    );
    expect(failure({ code: 0, data: { id: 'a', task_id: 'b', status: 'x' } }).path).toBe('data');
  });

  it('refuses a list in `data` and points to normalizeMany', () => {
    const error = failure({ code: 0, data: [json(signatureVectorBody)] });
    expect(error.path).toBe('data');
    expect(error.message).toContain('normalizeMany');
  });
});

describe('normalizeMany', () => {
  it('gives one event per task of a `data: [...]` envelope, each with its own raw, dialects mixed', () => {
    const legacy = json(legacyExample);
    const current = json(signatureVectorBody);
    const events = normalizeMany({ code: 0, data: [current, legacy] }, { source: 'poll' });
    expect(events.map((e) => [e.taskId, e.dialect, e.status, e.source])).toEqual([
      ['1234567890', 'new', 'succeed', 'poll'],
      ['867283741759111202', 'legacy', 'succeed', 'poll'],
    ]);
    expect(events[0]?.raw).toBe(current);
    expect(events[1]?.raw).toBe(legacy);
    for (const event of events) expectValidEvent(event);
  });

  it('accepts the bare list, an empty list and a single body', () => {
    expect(normalizeMany([json(signatureVectorBody)]).map((e) => e.taskId)).toEqual(['1234567890']);
    expect(normalizeMany({ code: 0, data: [] })).toEqual([]);
    expect(normalizeMany(json(officialTestCallback)).map((e) => e.status)).toEqual(['submitted']);
  });

  it('reports the index of the bad task', () => {
    const body = { code: 0, data: [{ id: '1', status: 'succeeded' }, { task_id: '2' }] };
    expect(failure(body, normalizeMany).path).toBe('data.1.task_status');
    expect(failure([{ id: '1', status: 'succeeded' }, 7], normalizeMany).path).toBe('1');
  });
});

describe('normalize: relay envelope (seeds, unofficial)', () => {
  const relay = (event: string, data: Record<string, unknown> = {}) => ({
    event,
    timestamp: '2025-01-15T10:30:00Z',
    data: { job_id: 'vid_abc123', status: 'whatever', ...data },
  });

  it.each([
    ['video.created', 'submitted'],
    ['video.processing', 'processing'],
    ['video.completed', 'succeed'],
    ['video.failed', 'failed'],
    ['video.cancelled', 'failed'],
  ] as const)('maps %s to %s', (name, status) => {
    const body = relay(name, { duration: 5, video_url: 'https://x/v.mp4' });
    const event = check(body);
    expect(event.status).toBe(status);
    expect(event.rawStatus).toBe(name);
    expect(event.taskId).toBe('vid_abc123');
    expect(event.dialect).toBe('relay');
    expect(event.raw).toBe(body);
  });

  it('maps the seed payload: video, times, no external id', () => {
    const event = check({
      event: 'video.completed',
      timestamp: '2025-01-15T10:30:00Z',
      data: {
        job_id: 'vid_abc123',
        status: 'completed',
        video_url: 'https://x/v.mp4',
        thumbnail_url: 'https://x/t.jpg',
        duration: 5,
        prompt: 'Original prompt...',
        model: 'kling-v1.5',
        created_at: '2025-01-15T10:25:00Z',
        completed_at: '2025-01-15T10:30:00+00:00',
      },
      signature: 'sha256=...',
    });
    expect(event.videos).toEqual([{ id: 'vid_abc123', url: 'https://x/v.mp4', duration: 5 }]);
    expect(event.createdAt).toEqual(new Date('2025-01-15T10:25:00Z'));
    expect(event.updatedAt).toEqual(new Date('2025-01-15T10:30:00Z'));
    expect(event.externalTaskId).toBeUndefined();
    expect(event.message).toBe('');
  });

  it('says "cancelled" for a cancelled job unless the relay gave an error', () => {
    expect(check(relay('video.cancelled')).message).toBe('cancelled');
    expect(check(relay('video.cancelled', { error: 'user abort' })).message).toBe('user abort');
    expect(check(relay('video.failed', { error: 'GPU fault' })).message).toBe('GPU fault');
  });

  it('falls back to the event timestamp for updatedAt', () => {
    expect(check(relay('video.processing', { progress: 40 })).updatedAt).toEqual(new Date('2025-01-15T10:30:00Z'));
  });

  it('rejects a bad relay field at its path', () => {
    expect(failure(relay('video.completed', { created_at: 'Jan 15' })).path).toBe('data.created_at');
    expect(failure({ event: 'video.completed', data: { status: 'completed' } }).path).toBe('data.job_id');
    expect(failure(relay('video.completed', { duration: 'five' })).path).toBe('data.duration');
  });

  it('accepts a video without a duration rather than refusing it on every redelivery', () => {
    const event = normalize({ task_id: 'd', task_status: 'succeed', task_result: { videos: [{ id: 'v', url: 'u' }] } });
    expect(event.videos).toEqual([{ id: 'v', url: 'u', duration: undefined }]);
  });
});

describe('normalize: statuses', () => {
  it.each([
    [{ id: 'n', status: 'queued' }, 'queued'],
    [{ task_id: 'l', task_status: 'SUCCEED' }, 'SUCCEED'],
    [{ event: 'video.deleted', data: { job_id: 'r' } }, 'video.deleted'],
    [{ id: 'p', status: '__proto__' }, '__proto__'],
    [{ id: 'c', status: 'constructor' }, 'constructor'],
    [{ event: 'toString', data: { job_id: 'r' } }, 'toString'],
  ])('an unknown status becomes "unknown" and keeps the raw one (%j)', (body, raw) => {
    const event = check(body);
    expect(event.status).toBe('unknown');
    expect(event.rawStatus).toBe(raw);
  });

  it('keeps processing and failed as they are', () => {
    expect(check({ id: 'p', status: 'processing' }).status).toBe('processing');
    expect(check({ task_id: 'f', task_status: 'failed' }).status).toBe('failed');
  });
});

describe('normalize: ids', () => {
  it('keeps 18-digit ids as strings, exactly', () => {
    const event = check(json('{"task_id":"900719925474099312","task_status":"succeed"}'));
    expect(event.taskId).toBe('900719925474099312');
  });

  it('stringifies a safe integer id', () => {
    expect(check({ id: 42, status: 'submitted' }).taskId).toBe('42');
    expect(check({ task_id: 't', task_status: 'submitted', task_info: { external_task_id: 7 } }).externalTaskId).toBe(
      '7',
    );
  });

  it('rejects an id that JSON.parse already rounded, at its path', () => {
    const error = failure(json('{"id":900719925474099312,"status":"succeeded"}'));
    expect(error.path).toBe('id');
    expect(error.message).toContain('2^53');
    expect(failure(json('{"code":0,"data":{"task_id":867283741759111202,"task_status":"succeed"}}')).path).toBe(
      'data.task_id',
    );
  });

  it('rejects an empty or non-scalar task id', () => {
    expect(failure({ id: '', status: 'succeeded' }).path).toBe('id');
    expect(failure({ task_id: { $gt: '' }, task_status: 'succeed' }).path).toBe('task_id');
    expect(failure({ id: 1.5, status: 'succeeded' }).path).toBe('id');
  });

  it('refuses a body with both ids or with neither', () => {
    const both = failure({ task_id: '1', id: '1', task_status: 'succeed', status: 'succeeded' });
    expect(both.path).toBe('');
    expect(both.message).toContain('not both');
    expect(failure({ status: 'succeeded' }).path).toBe('');
    expect(failure({}).path).toBe('');
  });
});

describe('normalize: bad field types are reported with their path', () => {
  it.each([
    [
      { task_id: 't', task_status: 'succeed', task_result: { videos: [{ id: 'v', url: 'u', duration: 'long' }] } },
      'task_result.videos.0.duration',
    ],
    [
      { task_id: 't', task_status: 'succeed', task_result: { videos: [{ id: 'v', url: 'u', duration: '-1' }] } },
      'task_result.videos.0.duration',
    ],
    [
      { task_id: 't', task_status: 'succeed', task_result: { videos: [{ id: 'v', duration: '5' }] } },
      'task_result.videos.0.url',
    ],
    [
      { task_id: 't', task_status: 'succeed', task_result: { images: [{ index: 'first', url: 'u' }] } },
      'task_result.images.0.index',
    ],
    [{ task_id: 't', task_status: 'succeed', task_result: 'none' }, 'task_result'],
    [{ task_id: 't', task_status: 'succeed', created_at: '1774805076166' }, 'created_at'],
    [{ task_id: 't', task_status: 'succeed', updated_at: 1.5 }, 'updated_at'],
    [{ task_id: 't', task_status: 'succeed', task_info: { external_task_id: true } }, 'task_info.external_task_id'],
    [{ task_id: 't', task_status: 'succeed', final_balance_deduction: { quota: [] } }, 'final_balance_deduction.quota'],
    [{ task_id: 't', task_status: 3 }, 'task_status'],
    [{ task_id: 't' }, 'task_status'],
    [
      {
        id: 'n',
        status: 'succeeded',
        outputs: [
          { type: 'video', id: 'v', url: 'u', duration: '5' },
          { type: 'video', id: 'v', url: 'u', duration: 'x' },
        ],
      },
      'outputs.1.duration',
    ],
    [{ id: 'n', status: 'succeeded', outputs: [{ type: 'audio', mp3_duration: 'x' }] }, 'outputs.0.mp3_duration'],
    [{ id: 'n', status: 'succeeded', outputs: [{ kind: 'video' }] }, 'outputs.0.type'],
    [{ id: 'n', status: 'succeeded', outputs: {} }, 'outputs'],
    [{ id: 'n', status: 'succeeded', billing: [{ amount: {} }] }, 'billing.0.amount'],
    [{ id: 'n', status: 'succeeded', create_time: -1 }, 'create_time'],
    [{ id: 'n', status: 'succeeded', update_time: 1e300 }, 'update_time'],
    [{ id: 'n', status: 'succeeded', message: 0 }, 'message'],
  ])('%j → %s', (body, path) => {
    const error = failure(body);
    expect(error.code).toBe('KLING_INVALID_BODY');
    expect(error.path).toBe(path);
    expect(error.message).toContain(path);
  });

  it('keeps messages short and free of the value found', () => {
    const long = 'x'.repeat(10_000);
    const error = failure({ task_id: 't', task_status: 'succeed', created_at: long });
    expect(error.message).not.toContain('xxxxxxxx');
    expect(error.message.length).toBeLessThan(200);
  });

  it('rejects non-object bodies with path ""', () => {
    for (const body of [null, undefined, 'task', 42, [], true]) expect(failure(body).path).toBe('');
  });
});

describe('normalize: what else comes through', () => {
  it('keeps unknown fields in raw, at every level', () => {
    const body = {
      id: 'u',
      status: 'succeeded',
      brand_new_field: { deep: [1, 2, 3] },
      outputs: [{ type: 'video', id: 'v', url: 'u', duration: '1', codec: 'h265' }],
    };
    const event = check(body);
    expect(event.raw).toBe(body);
    expect(event.raw.brand_new_field).toEqual({ deep: [1, 2, 3] });
    expect(event.outputs[0]?.codec).toBe('h265');
  });

  it('passes deliveryId and source through; source defaults to callback', () => {
    const body = json(officialTestCallback);
    expect(check(body, { deliveryId: 'msg_2Kx', source: 'poll' })).toMatchObject({
      deliveryId: 'msg_2Kx',
      source: 'poll',
    });
    const plain = check(body);
    expect(plain.source).toBe('callback');
    expect(plain.deliveryId).toBeUndefined();
  });

  it('does not walk deep nesting in unknown fields', () => {
    const depth = 100_000;
    // JSON.parse, not parseJson: parseJson refuses such nesting (see receiver-bounded-work.test.ts).
    const body = JSON.parse(`{"id":"d","status":"succeeded","junk":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expect(check(body).taskId).toBe('d');
  });
});

describe('normalize: hostile keys', () => {
  it('a __proto__ key changes no prototype and smuggles no field', () => {
    const body = json(
      '{"task_id":"p","task_status":"succeed","__proto__":{"polluted":true,"task_result":{"videos":[{"id":"x","url":"https://evil","duration":"1"}]}},' +
        '"task_result":{"__proto__":{"videos":[{"id":"y","url":"https://evil","duration":"1"}]}},' +
        '"task_info":{"__proto__":{"external_task_id":"forged"}}}',
    );
    const event = check(body);
    expect(event.videos).toEqual([]);
    expect(event.externalTaskId).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(event.raw)).toBe(Object.prototype);
  });

  it('a __proto__ key in an output or the relay data changes no prototype', () => {
    const current = check(
      json('{"id":"o","status":"succeeded","outputs":[{"type":"voice","__proto__":{"polluted":1}}]}'),
    );
    expect(current.outputs).toHaveLength(1);
    const relay = check(
      json('{"event":"video.created","data":{"job_id":"j","__proto__":{"video_url":"https://evil"}}}'),
    );
    expect(relay.videos).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('video_url');
  });
});

describe('parseJson', () => {
  const bytes = (...b: number[]) => new Uint8Array(b);

  it('parses a UTF-8 JSON object', () => {
    expect(parseJson(new TextEncoder().encode('{"task_id":"1","message":"ü ✓"}'))).toEqual({
      task_id: '1',
      message: 'ü ✓',
    });
  });

  it.each([
    ['invalid UTF-8', bytes(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d)],
    ['an overlong UTF-8 sequence', bytes(0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d)],
    ['truncated JSON', new TextEncoder().encode('{"task_id":"1","task_status":"succ')],
    ['an empty body', bytes()],
    ['an array at the top level', new TextEncoder().encode('[{"task_id":"1"}]')],
    ['null at the top level', new TextEncoder().encode('null')],
    ['a string at the top level', new TextEncoder().encode('"{}"')],
  ])('rejects %s with path ""', (_name, raw) => {
    const error = failure(raw, parseJson);
    expect(error.path).toBe('');
    expect(error.code).toBe('KLING_INVALID_BODY');
  });

  it('does not quote the body in its error', () => {
    const error = failure(new TextEncoder().encode('{"task_id":"secret-looking-value",'), parseJson);
    expect(error.message).not.toContain('secret-looking-value');
  });
});
