import { KlingValidationError, normalize, normalizeMany } from '@kling-webhooks/core';
import { parseJson } from '@kling-webhooks/core/adapter';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectValidEvent } from './event-contract.js';

/** Either a valid event comes out, or a KlingValidationError with a string path: nothing else may escape. */
function outcome(run: () => unknown): 'event' | 'rejected' {
  try {
    const result = run();
    for (const event of Array.isArray(result) ? result : [result]) {
      expectValidEvent(event);
    }
    return 'event';
  } catch (error) {
    expect(error).toBeInstanceOf(KlingValidationError);
    expect(typeof (error as KlingValidationError).path).toBe('string');
    return 'rejected';
  }
}

const KEYS = [
  'task_id',
  'task_status',
  'task_status_msg',
  'task_info',
  'task_result',
  'external_task_id',
  'videos',
  'images',
  'id',
  'status',
  'message',
  'outputs',
  'billing',
  'type',
  'url',
  'duration',
  'created_at',
  'create_time',
  'code',
  'data',
  'event',
  'job_id',
  'video_url',
  '__proto__',
  'constructor',
  'toString',
] as const;

const scalar = fc.oneof(
  fc.constantFrom('succeed', 'succeeded', 'video', 'video.completed', '5.1', '', '__proto__', 'x'),
  fc.constantFrom(0, -1, 1.5, 2 ** 53, 1774805076166, 8.64e15 + 1),
  fc.boolean(),
  fc.constant(null),
  fc.string(),
);

const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, tie('object'), fc.array(tie('value'), { maxLength: 3 })),
  object: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 4 }),
})).value;

const video = { type: 'video', id: 'v', url: 'https://x/v.mp4', duration: '5.1' };
const legacy = {
  task_id: '867283741759111202',
  task_status: 'succeed',
  created_at: 1774805076166,
  task_info: { external_task_id: 'order-42' },
  task_result: { videos: [{ id: 'v', url: 'https://x/v.mp4', duration: '5.1' }], images: [{ index: 0, url: 'u' }] },
  final_balance_deduction: { quota: '1', list_price: '2' },
};
const current = {
  id: '913827032734642185',
  status: 'succeeded',
  create_time: 1785901861504,
  outputs: [video, { type: 'audio', id: 'a', mp3_duration: '3' }],
  billing: [{ amount: '1' }],
};
const relay = { event: 'video.completed', data: { job_id: 'j', video_url: 'https://x/v.mp4', duration: 5 } };
const BASES = [legacy, current, relay, { code: 0, data: legacy }, { code: 0, data: current }];

/** Where a mutation lands in a base (when the base has it). */
const TARGETS = [
  [],
  ['task_result', 'videos', 0],
  ['task_info'],
  ['outputs', 0],
  ['billing', 0],
  ['data'],
  ['data', 'outputs', 0],
];

/** A valid body with a few fields replaced by anything: the fuzzing reaches past the first check. */
const mutated = fc
  .tuple(
    fc.constantFrom(...BASES),
    fc.array(fc.tuple(fc.constantFrom(...TARGETS), fc.constantFrom(...KEYS), value), { maxLength: 3 }),
  )
  .map(([base, mutations]) => {
    const body = structuredClone(base) as Record<string, unknown>;
    for (const [path, key, replacement] of mutations) {
      let target: unknown = body;
      for (const step of path) target = (target as Record<string | number, unknown> | undefined)?.[step];
      // defineProperty: a `__proto__` key becomes an own key, as JSON.parse makes it.
      if (typeof target === 'object' && target !== null) {
        Object.defineProperty(target, key, {
          value: replacement,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
    return body;
  });

describe('normalize on hostile input', () => {
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  it('throws only KlingValidationError on any JSON text', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        outcome(() => normalize(parseJson(new TextEncoder().encode(text))));
        outcome(() => normalizeMany(JSON.parse(text)));
      }),
      { numRuns: 400 },
    );
  });

  it('throws only KlingValidationError on mutated Kling bodies, and still accepts some of them', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(mutated, (body) => {
        const parsed = JSON.parse(JSON.stringify(body));
        seen.add(outcome(() => normalize(parsed)));
        outcome(() => normalizeMany({ code: 0, data: [parsed, parsed] }));
      }),
      { numRuns: 800 },
    );
    expect(seen).toEqual(new Set(['event', 'rejected']));
  });

  it('throws only KlingValidationError on any byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
        outcome(() => normalize(parseJson(raw)));
      }),
      { numRuns: 400 },
    );
  });

  it('leaves Object.prototype as it was', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
