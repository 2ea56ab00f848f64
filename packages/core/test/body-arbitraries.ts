import fc from 'fast-check';

// Bodies for properties over the body schemas: valid Kling bodies of every shape with a few fields replaced by anything.

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
  // Leaves of every schema, so mutations reach each field's own checks.
  'final_unit_deduction',
  'final_balance_deduction',
  'quota',
  'list_price',
  'watermark_url',
  'index',
  'group_id',
  'mp3_url',
  'mp3_duration',
  'wav_duration',
  'charge_type',
  'amount',
  'timestamp',
  'completed_at',
  'progress',
  'error',
  'request_id',
  'external_id',
  'update_time',
  'updated_at',
] as const;

const scalar = fc.oneof(
  fc.constantFrom('succeed', 'succeeded', 'video', 'video.completed', '5.1', '', '__proto__', 'x'),
  fc.constantFrom(
    0,
    -1,
    1.5,
    2 ** 53,
    1774805076166,
    8.64e15 + 1,
    Number.NaN,
    -0,
    '2026-12-03T10:00:00Z',
    'x'.repeat(17_000),
  ),
  fc.integer(),
  fc.double(),
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
const relayTimed = {
  event: 'video.failed',
  timestamp: '2026-12-03T10:00:00Z',
  data: { job_id: 'j', error: 'x', progress: 3, created_at: '2026-12-03T09:00:00+01:00', completed_at: null },
};
const images = {
  id: 'i',
  status: 'failed',
  message: 'm',
  external_id: 7,
  outputs: [{ type: 'image', url: 'u', group_id: 'g', index: 1 }, { type: 'voice' }],
  billing: [{ charge_type: 'c', cash_type: 'd', amount: 2, currency: 'USD', package_type: 'p', list_price: '1' }],
};
const BASES = [
  legacy,
  current,
  relay,
  relayTimed,
  images,
  { code: 0, message: 'ok', data: legacy },
  { code: 0, request_id: 'r', data: current },
];

/** Where a mutation lands in a base (when the base has it). */
const TARGETS = [
  [],
  ['task_result', 'videos', 0],
  ['task_info'],
  ['outputs', 0],
  ['billing', 0],
  ['data'],
  ['data', 'outputs', 0],
  ['data', 'task_result', 'videos', 0],
  ['final_balance_deduction'],
];

/** A valid body of any accepted shape with a few fields replaced by anything: the fuzzing reaches past the first check. */
export const mutatedBody = fc
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

/** Values at the edges of the schemas' checks: lengths 256/16 KiB, safe integers, Date bounds, number-like strings. */
const EDGES = [
  'x'.repeat(256),
  'x'.repeat(257),
  'x'.repeat(16 * 1024),
  'x'.repeat(16 * 1024 + 1),
  '',
  '5.',
  '5.1',
  ' 5',
  '-1',
  '1e3',
  2 ** 53 - 1,
  2 ** 53,
  -1,
  0,
  -0,
  1.5,
  8.64e15,
  8.64e15 + 1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  null,
  true,
  [],
  {},
  '2026-12-03T10:00:00Z',
  '2026-12-03T10:00:00+01:00',
  '2026-12-03 10:00',
];

/** Every path to a leaf (or a list) of `value`. */
function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, v]) => leafPaths(v, [...prefix, key]))].filter((p) => p.length > 0);
}

const LEAVES = BASES.map((base) => [base, leafPaths(base)] as const);

/** A valid body with one to three of its own fields set to an edge value, or removed. */
export const edgeBody = fc
  .constantFrom(...LEAVES)
  .chain(([base, paths]) =>
    fc.tuple(
      fc.constant(base),
      fc.array(fc.tuple(fc.constantFrom(...paths), fc.option(fc.constantFrom(...EDGES), { nil: undefined })), {
        minLength: 1,
        maxLength: 3,
      }),
    ),
  )
  .map(([base, edits]) => {
    const body = structuredClone(base) as Record<string, unknown>;
    for (const [path, edge] of edits) {
      let target: unknown = body;
      for (const step of path.slice(0, -1)) target = (target as Record<string | number, unknown> | undefined)?.[step];
      if (typeof target !== 'object' || target === null) continue;
      const key = path[path.length - 1] as string;
      if (edge === undefined) delete (target as Record<string, unknown>)[key];
      else (target as Record<string, unknown>)[key] = edge;
    }
    return body;
  });
