import { type KlingTaskEvent, normalize } from '@kling-webhooks/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastFlatBody } from '../src/schemas/fast-path.js';
import { fuzzParameters } from './fuzz-fixtures.js';

const legacy = {
  task_id: '867283741759111202',
  task_status: 'succeed',
  task_status_msg: '',
  created_at: 1774805076166,
  updated_at: 1774805190123,
  task_info: { external_task_id: 'order-42', parent_video: { id: 'p' } },
  task_result: {
    videos: [{ id: 'v-1', url: 'https://cdn.example.com/v.mp4', duration: '5.1', watermark_url: 'https://w/v.mp4' }],
    images: [{ index: 0, url: 'https://cdn.example.com/i.png', watermark_url: null }],
  },
  final_unit_deduction: '1',
  final_balance_deduction: { quota: '1', list_price: '0.49' },
  model_name: 'kling-v2-1',
};

const current = {
  id: '913827032734642185',
  status: 'succeeded',
  message: '',
  create_time: 1785901861504,
  update_time: 1785901861504,
  external_id: 'order-43',
  outputs: [
    { type: 'video', id: 'v', url: 'https://x/v.mp4', watermark_url: 'https://x/w.mp4', duration: '5.1' },
    { type: 'image', url: 'https://x/i.png', watermark_url: 'https://x/wi.png', group_id: '0', index: 1 },
    { type: 'audio', id: 'a', mp3_url: 'https://x/a.mp3', wav_url: null, mp3_duration: '3', wav_duration: 3.5 },
    { type: 'voice', voice_id: 'x' },
  ],
  billing: [
    { charge_type: 'generation', cash_type: 'resource_pack', amount: '1', currency: 'unit', list_price: '0.49' },
  ],
};

/** Where a replacement lands, and the keys its schema checks there (plus one it does not). */
const FIELDS: [path: (string | number)[], keys: string[]][] = [
  [[], ['task_id', 'task_status', 'task_status_msg', 'created_at', 'updated_at', 'task_info', 'task_result']],
  [[], ['final_unit_deduction', 'final_balance_deduction', 'id', 'status', 'message', 'create_time', 'update_time']],
  [[], ['external_id', 'outputs', 'billing', 'code', 'model_name']],
  [['task_info'], ['external_task_id', 'parent_video']],
  [['task_result'], ['videos', 'images']],
  [
    ['task_result', 'videos', 0],
    ['id', 'url', 'duration', 'watermark_url'],
  ],
  [
    ['task_result', 'images', 0],
    ['index', 'url', 'watermark_url'],
  ],
  [['final_balance_deduction'], ['quota', 'list_price']],
  ...[0, 1, 2, 3].map((i): [(string | number)[], string[]] => [
    ['outputs', i],
    ['type', 'id', 'url', 'watermark_url', 'duration', 'group_id', 'index', 'mp3_url', 'wav_url', 'mp3_duration'],
  ]),
  [['outputs', 2], ['wav_duration']],
  [
    ['billing', 0],
    ['charge_type', 'cash_type', 'amount', 'currency', 'package_type', 'list_price'],
  ],
];

/** Values each check must take or refuse the way zod does: edge cases of every field type. */
const replacement = fc.oneof(
  fc.constantFrom(undefined, null, '', 'x', 'succeed', 'video', 'image', 'audio', 'voice', '__proto__'),
  fc.constantFrom('5.1', '5', '0', '5.', '.5', '-1', '1e3', ' 5', '0x10', '9'.repeat(400)),
  fc.constantFrom('a'.repeat(256), 'a'.repeat(257)),
  fc.constantFrom(0, -0, -1, 1.5, 5, 2 ** 53 - 1, 2 ** 53, 1774805076166, 8.64e15, 8.64e15 + 1, Number.MAX_VALUE),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.boolean(),
  fc.string({ maxLength: 3 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom([], {}, [null], [{}], ['x'], { type: 'video' }),
);

/** A realistic body of either dialect with a few fields replaced (or deleted, for `undefined`). */
const body = fc
  .tuple(
    fc.constantFrom(legacy, current),
    fc.array(
      fc.constantFrom(...FIELDS).chain(([path, keys]) => fc.tuple(fc.constant(path), fc.constantFrom(...keys))),
      { maxLength: 3 },
    ),
    fc.array(replacement, { minLength: 3, maxLength: 3 }),
  )
  .map(([base, fields, values]) => {
    const copy = structuredClone(base) as Record<string, unknown>;
    fields.forEach(([path, key], i) => {
      let target: unknown = copy;
      for (const step of path) target = (target as Record<string | number, unknown> | undefined)?.[step];
      if (typeof target !== 'object' || target === null) return;
      const value = values[i];
      if (value === undefined) delete (target as Record<string, unknown>)[key];
      // defineProperty: a `__proto__` key becomes an own key, as JSON.parse makes it.
      else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    });
    return copy;
  });

/** normalize's event, or the path of its refusal. */
function attempt(input: unknown): KlingTaskEvent | { refused: string } {
  try {
    return normalize(input);
  } catch (error) {
    return { refused: (error as { path: string }).path };
  }
}

describe('the hand-checked fast path of normalize', () => {
  it('takes the usual bodies of both dialects', () => {
    expect(fastFlatBody(legacy)).toBeDefined();
    expect(fastFlatBody(current)).toBeDefined();
    expect(fastFlatBody({ task_id: '1', task_status: 'submitted' })).toBeDefined();
  });

  it('leaves to zod what it does not vouch for', () => {
    expect(fastFlatBody({ ...legacy, task_id: 867283741759111 })).toBeUndefined();
    expect(fastFlatBody({ ...legacy, task_id: 'a'.repeat(257) })).toBeUndefined();
    expect(fastFlatBody({ ...legacy, id: 'x' })).toBeUndefined();
    expect(fastFlatBody({ ...current, billing: [{ amount: 1 }] })).toBeUndefined();
    expect(fastFlatBody({ task_status: 'succeed' })).toBeUndefined();
  });

  // The envelope `{code, data}` always goes through zod: the same body normalized both ways must give the same event.
  it('gives exactly the event zod gives, for every body it takes', () => {
    let taken = 0;
    let declined = 0;
    fc.assert(
      fc.property(body, (input) => {
        const fast = fastFlatBody(input) !== undefined;
        const direct = attempt(input);
        const viaZod = attempt({ code: 0, data: input });
        if (!fast) {
          declined++;
          return;
        }
        taken++;
        expect('refused' in viaZod ? viaZod : { ...viaZod, raw: input }).toStrictEqual(direct);
      }),
      fuzzParameters(4000),
    );
    // Both sides of the property were exercised.
    expect(taken).toBeGreaterThan(400);
    expect(declined).toBeGreaterThan(400);
  });
});
