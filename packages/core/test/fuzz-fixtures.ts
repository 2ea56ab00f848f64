import {
  createKlingReceiver,
  type KlingHeaders,
  type KlingReceiver,
  type KlingRequest,
  type KlingResponse,
  type KlingStore,
  type KlingTaskEvent,
  type KlingVerifyOption,
  memoryStore,
} from '@kling-webhooks/core';
import { storeKeys } from '@kling-webhooks/core/adapter';
import fc from 'fast-check';
import { expect } from 'vitest';
import { captureLogger } from './receiver-fixtures.js';

/**
 * fast-check parameters for a property: `numRuns`, and the seed (and path) of `FUZZ_SEED` (`FUZZ_PATH`) when set. A
 * failure message prints `seed` and `path`: run again with `FUZZ_SEED=<seed> FUZZ_PATH=<path>` to replay it.
 */
export function fuzzParameters(numRuns: number): fc.Parameters<unknown> {
  const { FUZZ_SEED: seed, FUZZ_PATH: path } = process.env;
  if (seed === undefined) return { numRuns };
  return path === undefined ? { numRuns, seed: Number(seed) } : { numRuns, seed: Number(seed), path };
}

const encoder = new TextEncoder();
export const bytes = (text: string): Uint8Array => encoder.encode(text);
const lenient = new TextDecoder();

/**
 * Gives a body a short description for fast-check's failure report: a 100k-deep body printed in full is megabytes.
 */
export function labelled(raw: Uint8Array): Uint8Array {
  const text = lenient.decode(raw.subarray(0, 240));
  const label = `bytes(${raw.length}) ${JSON.stringify(raw.length > 240 ? `${text}…` : text)}`;
  return Object.assign(raw, { [fc.toStringMethod]: () => label });
}

/** A receiver with one handler per status and one for `'*'`, each recording what it got. */
export function fuzzReceiver(
  verify: KlingVerifyOption,
  /** External id → task id pairs recorded in the store, as `KlingClient` records the tasks it creates. */
  pairings: readonly (readonly [string, string])[] = [],
): {
  receiver: KlingReceiver;
  calls: { status: string; event: KlingTaskEvent }[];
  logger: ReturnType<typeof captureLogger>;
  /** Every key the store was asked to claim or mark. */
  keys: string[];
} {
  const logger = captureLogger();
  // A store per receiver: every run starts with no event seen, so a valid request must reach its handlers.
  const store = memoryStore();
  // The memory store records synchronously: the pairing is there before the first request.
  for (const [ext, task] of pairings) void store.pairTask(ext, task, 60_000);
  const keys: string[] = [];
  const recording: KlingStore = {
    ...store,
    claim: (event, options) => {
      keys.push(storeKeys.event(event.taskId, event.status), storeKeys.terminal(event.taskId));
      return store.claim(event, options);
    },
  };
  // 4 MiB: the 100k-deep bodies (up to 2 MB) must reach the parser, not stop at the size limit.
  const receiver = createKlingReceiver({ verify, store: recording, logger, maxBodyBytes: 4 * 1024 * 1024 });
  const calls: { status: string; event: KlingTaskEvent }[] = [];
  for (const status of ['submitted', 'processing', 'succeed', 'failed', '*'] as const) {
    receiver.on(status, (event: KlingTaskEvent) => {
      calls.push({ status, event });
    });
  }
  return { receiver, calls, logger, keys };
}

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort().join();

/** Fails when anything was added to `Object.prototype` (or a property of it replaced by a plain value). */
export function expectCleanPrototype(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort().join()).toBe(prototypeNames);
  const probe: Record<string, unknown> = {};
  expect(probe.polluted).toBeUndefined();
  expect(typeof probe.toString).toBe('function');
  expect(typeof probe.hasOwnProperty).toBe('function');
}

/** Runs `handle` and fails on a rejection, a 5xx or an answer that echoes the request; returns the answer. */
export async function handleSafely(receiver: KlingReceiver, request: KlingRequest): Promise<KlingResponse> {
  const response = await receiver.handle(request);
  expect(response.status, response.body).toBeLessThan(500);
  expect(() => JSON.parse(response.body)).not.toThrow();
  // Paths and messages come from the schemas, never from the body: the answer stays small whatever was sent.
  expect(response.body.length).toBeLessThan(512);
  return response;
}

// --- methods, headers, URLs ---

export const POST_METHODS = ['POST', 'post', 'Post', 'pOsT'] as const;

/** Any method: the usual ones in odd cases, and arbitrary strings. */
export const anyMethod = fc.oneof(
  fc.constantFrom(...POST_METHODS, 'GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE', ''),
  fc.string({ maxLength: 12 }),
);

/** A header name written in any case. */
function anyCase(name: string): fc.Arbitrary<string> {
  return fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
}

const HUGE = 'x'.repeat(64 * 1024);

/** A header value: short strings, a huge value, or a repeated header (an array, equal or differing values). */
export const headerValueArb: fc.Arbitrary<string | string[]> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(HUGE, '', ' ', 'v1,', 'v1,AAAA', '\u0000', 'Bearer ', '0', '-1', '1e309', 'NaN'),
  fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
);

const HEADER_NAMES = [
  'content-type',
  'content-length',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'authorization',
  'x-kling-signature',
  'transfer-encoding',
  '__proto__',
  'constructor',
] as const;

/** Arbitrary extra headers, known names in any case among them. */
export const anyHeaders: fc.Arbitrary<Record<string, string | string[]>> = fc
  .array(
    fc.tuple(fc.oneof(fc.constantFrom(...HEADER_NAMES).chain(anyCase), fc.string({ maxLength: 16 })), headerValueArb),
    { maxLength: 8 },
  )
  .map((entries) => {
    const headers: Record<string, string | string[]> = {};
    // defineProperty: a `__proto__` header name becomes an own key, as Node builds header objects.
    for (const [name, value] of entries) {
      Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return headers;
  });

/** Mostly a JSON content type as senders write it (so most requests reach verification), else anything. */
export const contentTypeArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/cloudevents+json',
      'application/json;charset=latin1',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/jsonp', 'multipart/form-data; boundary=x', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

/** Mostly POST in any case, else any method. */
export const methodArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...POST_METHODS) },
  { weight: 1, arbitrary: anyMethod },
);

const JWT_LIKE = fc
  .tuple(fc.base64String({ maxLength: 40 }), fc.base64String({ maxLength: 80 }), fc.base64String({ maxLength: 43 }))
  .map((parts) => parts.join('.'));

/** URLs and query strings: the callback path, odd encodings, absolute URLs, repeated and fake tokens. */
export const anyUrl = fc.oneof(
  fc.constantFrom(
    '/webhooks/kling',
    '/webhooks/kling?',
    '/webhooks/kling?token=',
    '/webhooks/kling?token=a&token=b',
    '/webhooks/kling?%',
    '/webhooks/kling?token=%E0%A4%A',
    '/webhooks/kling?token=%00',
    '/webhooks/kling#?token=x',
    `/webhooks/kling?token=${HUGE}`,
    '//evil.example/webhooks/kling',
    'http://[::1]:99999/x?token=a',
    '*',
    '',
  ),
  JWT_LIKE.map((token) => `/webhooks/kling?token=${token}`),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.string({ maxLength: 60 }).map((s) => `/webhooks/kling?${s}`),
  fc.string({ maxLength: 60 }),
);

// --- bodies ---

/** A legacy body Kling would send, for a fresh task id. */
export function legacyObject(id: string): Record<string, unknown> {
  return {
    task_id: id,
    task_status: 'succeed',
    task_status_msg: '',
    created_at: 1774805076166,
    updated_at: 1774805190123,
    final_unit_deduction: '1',
    final_balance_deduction: { quota: '1', list_price: '2' },
    task_info: { external_task_id: 'order-42', parent_video: { id: 'p', url: 'https://x/p.mp4', duration: '5' } },
    task_result: {
      videos: [{ id: 'v-1', url: 'https://cdn.example.com/v.mp4', duration: '5.1', watermark_url: 'https://x/w' }],
      images: [{ index: 0, url: 'https://cdn.example.com/i.png' }],
    },
  };
}

/** A new-dialect body Kling would send, for a fresh task id. */
export function newObject(id: string): Record<string, unknown> {
  return {
    id,
    status: 'succeeded',
    message: '',
    external_id: 'order-42',
    create_time: 1785901861504,
    update_time: 1785901861504,
    outputs: [
      { type: 'video', id: 'v-1', url: 'https://x/v.mp4', watermark_url: 'https://x/w', duration: '5.1' },
      { type: 'image', url: 'https://x/i.png', group_id: 'g' },
      { type: 'audio', id: 'a', mp3_url: 'https://x/a.mp3', mp3_duration: '3', wav_duration: '3.0' },
    ],
    billing: [{ charge_type: 'c', amount: '1', currency: 'USD', list_price: '2' }],
  };
}

/** The seeds' relay envelope. */
export function relayObject(id: string): Record<string, unknown> {
  return {
    event: 'video.completed',
    data: { job_id: id, video_url: 'https://x/v.mp4', duration: 5, created_at: '2026-01-01T00:00:00Z' },
  };
}

/** A query envelope around a legacy or new body. */
export function envelopeObject(id: string): Record<string, unknown> {
  return { code: 0, message: 'SUCCEED', request_id: 'r', data: legacyObject(id) };
}

export const BODY_SHAPES = [legacyObject, newObject, relayObject, envelopeObject] as const;

/** Values that hurt: wrong types, huge and odd numbers, prototype names, deep structures. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -0,
    -1,
    1.5,
    2 ** 53 + 1,
    -(2 ** 63),
    8.64e15,
    8.64e15 + 1,
    1e308,
    Number.MIN_VALUE,
    '',
    ' ',
    '5.1',
    '-5',
    '1e3',
    'NaN',
    'Infinity',
    '1774805076166',
    '867283741759111202',
    'succeed',
    'succeeded',
    'failed',
    '__proto__',
    'constructor',
    'toString',
    'video',
    'https://x/v.mp4',
    HUGE,
  ),
  fc.string({ maxLength: 20 }),
  // Long ids and statuses, up to 100 KB: fast-check keeps string lengths near their minimum, so the length is drawn.
  fc.nat({ max: 100_000 }).map((n) => '8'.repeat(257 + n)),
  fc.integer(),
  fc.double(),
  fc.constant({ __proto__: null, polluted: true }),
  fc.constantFrom([], [null], [1, '2'], {}, { type: 'video' }, { url: 1 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Every path to a value in a JSON object (objects and arrays walked), the object itself excluded. */
export function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value as Record<string, unknown>);
  return entries.flatMap(([key, v]) => [[...prefix, key], ...leafPaths(v, [...prefix, key])]);
}

/**
 * Sets `path` of `target` to a copy of `value` (values are shared between runs) as an own property, so `__proto__`
 * is a key, as JSON.parse makes it.
 */
export function setPath(target: unknown, path: readonly (string | number)[], value: unknown): void {
  let node = target as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  Object.defineProperty(node, path.at(-1) as string | number, {
    value: structuredClone(value),
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** What a mutation does to one field of a valid body. */
type Mutation =
  | { op: 'set'; pick: number; value: unknown }
  | { op: 'key'; field: readonly string[]; value: unknown }
  | { op: 'delete'; pick: number }
  | { op: 'add'; pick: number; key: string; value: unknown }
  | { op: 'stringify'; pick: number }
  | { op: 'numberify'; pick: number };

/** The fields the dedupe key and the dispatch come from, in each body shape. */
const KEY_FIELDS = [
  ['task_id'],
  ['task_status'],
  ['id'],
  ['status'],
  ['event'],
  ['data', 'job_id'],
  ['data', 'task_id'],
  ['data', 'task_status'],
] as const;

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), pick: fc.nat(), value: hostileValue }),
  fc.record({ op: fc.constant('key' as const), field: fc.constantFrom(...KEY_FIELDS), value: hostileValue }),
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({
    op: fc.constant('add' as const),
    pick: fc.nat(),
    key: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'task_id', 'id', 'status'),
    value: hostileValue,
  }),
  fc.record({ op: fc.constant('stringify' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('numberify' as const), pick: fc.nat() }),
);

function applyMutation(body: Record<string, unknown>, mutation: Mutation): void {
  if (mutation.op === 'key') {
    const parent = mutation.field.length === 1 ? body : body[mutation.field[0] as string];
    if (typeof parent === 'object' && parent !== null)
      setPath(parent, [mutation.field.at(-1) as string], mutation.value);
    return;
  }
  const paths = leafPaths(body);
  if (paths.length === 0) return;
  const path = paths[mutation.pick % paths.length] as (string | number)[];
  let parent = body as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const key = path.at(-1) as string | number;
  const current = parent[key];
  switch (mutation.op) {
    case 'set':
      setPath(body, path, mutation.value);
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case 'add':
      if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
        setPath(current, [mutation.key], mutation.value);
      } else setPath(body, [mutation.key], mutation.value);
      break;
    // Strings where numbers (or objects) are expected, and numbers where strings are.
    case 'stringify':
      setPath(body, path, typeof current === 'string' ? current : JSON.stringify(current));
      break;
    case 'numberify':
      setPath(body, path, typeof current === 'string' ? Number(current) : String(JSON.stringify(current)));
      break;
  }
}

/** A valid Kling body of any shape for `id`, with up to four of its fields mutated one by one. */
export function mutatedBody(id: string): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(fc.constantFrom(...BODY_SHAPES), fc.array(mutationArb, { maxLength: 4 }))
    .map(([shape, mutations]) => {
      const body = shape(id);
      for (const mutation of mutations) applyMutation(body, mutation);
      return body;
    });
}

const DEPTH = 100_000;
/** Deep nesting, built once: each body is 200 to 600 KB. */
const DEEP_BODIES: readonly string[] = [
  '['.repeat(DEPTH) + ']'.repeat(DEPTH),
  `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`,
  `{"task_id":"1","task_status":"succeed","extra":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`,
  `{"task_id":"1","task_status":"succeed","task_result":{"videos":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}}`,
  `{"task_id":"1","task_status":"succeed","task_info":${'{"external_task_id":'.repeat(DEPTH)}"x"${'}'.repeat(DEPTH)}}`,
  `{"id":"1","status":"succeeded","outputs":[{"type":"video","x":${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}}]}`,
];

/** The deep bodies as bytes, encoded once. */
export const DEEP_BYTES: readonly Uint8Array[] = DEEP_BODIES.map(bytes);

/** JSON texts that parse but stress the parser and the schemas. */
const trickyJson = fc.constantFrom(
  '{"task_id":"1","task_status":"succeed","task_id":"2","task_status":"failed"}',
  '{"id":"1","status":"succeeded","id":"2"}',
  '{"task_id":"1","id":"1","task_status":"succeed"}',
  '{"__proto__":{"polluted":true},"task_id":"1","task_status":"succeed"}',
  '{"constructor":{"prototype":{"polluted":true}},"task_id":"1","task_status":"succeed"}',
  '{"task_id":"1","task_status":"__proto__"}',
  '{"task_id":"1","task_status":"constructor"}',
  '{"task_id":"__proto__","task_status":"succeed"}',
  '{"task_id":"1","task_status":"succeed","task_result":{"__proto__":{"videos":[{"id":"v","url":"u"}]}}}',
  '{"event":"__proto__","data":{"job_id":"1"}}',
  '{"code":0,"data":{"__proto__":{"task_id":"1","task_status":"succeed"}}}',
  '{"task_id":1e400,"task_status":"succeed"}',
  '{"task_id":123456789012345678901234567890,"task_status":"succeed"}',
  '{"task_id":867283741759111202,"task_status":"succeed"}',
  '{"task_id":"1","task_status":"succeed","created_at":1e400}',
  '{"task_id":"1","task_status":"succeed","created_at":-1e400}',
  '{"task_id":"1","task_status":"succeed","created_at":1774805076166.5}',
  `{"task_id":"1","task_status":"succeed","created_at":${'9'.repeat(400)}}`,
  '{"task_id":"1","task_status":"succeed","task_result":{"videos":[{"id":"v","url":"u","duration":1e400}]}}',
  '{"task_id":"1","task_status":"succeed","task_result":{"videos":[{"id":"v","url":"u","duration":"1e400"}]}}',
  '{"task_id":"1","task_status":"succeed","task_result":{"videos":[{"id":"v","url":"u","duration":-0}]}}',
  '{"task_id":"1","task_status":"succeed","task_status_msg":"\\ud800"}',
  '{"task_id":"\\u0000","task_status":"succeed"}',
  '{"code":"0","data":[]}',
  '{"code":0,"data":[{"task_id":"1","task_status":"succeed"}]}',
  '{"task_id":"1","task_status":"succeed"}   \n\t ',
  '\ufeff{"task_id":"1","task_status":"succeed"}',
  '[]',
  'null',
  '"task_id"',
  '1',
  '',
);

function invalidUtf8(text: string, at: number, bad: readonly number[]): Uint8Array {
  const raw = bytes(text);
  const i = raw.length === 0 ? 0 : at % raw.length;
  return Uint8Array.from([...raw.subarray(0, i), ...bad, ...raw.subarray(i)]);
}

/** A hostile body, as bytes: everything the issue lists, mixed with valid and mutated Kling bodies. */
export const hostileBodyBytes: fc.Arbitrary<Uint8Array> = fc
  .oneof(
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: 256 }) },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => bytes(JSON.stringify(value) ?? '')) },
    { weight: 3, arbitrary: trickyJson.map(bytes) },
    // Rarer: each of these takes milliseconds to parse.
    { weight: 1, arbitrary: fc.constantFrom(...DEEP_BYTES) },
    // Truncated JSON: a valid body cut anywhere.
    {
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom(...BODY_SHAPES), fc.nat()).map(([shape, at]) => {
        const text = JSON.stringify(shape('867283741759111202'));
        return bytes(text.slice(0, at % text.length));
      }),
    },
    // Invalid UTF-8: a valid body with a bad sequence spliced in.
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...BODY_SHAPES),
          fc.nat(),
          fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]),
        )
        .map(([shape, at, bad]) => invalidUtf8(JSON.stringify(shape('867283741759111202')), at, bad)),
    },
    { weight: 3, arbitrary: mutatedBody('867283741759111202').map((body) => bytes(JSON.stringify(body))) },
  )
  .map(labelled);

/** Splits bytes into a stream of chunks at the given cut points (a stand-in for a Node request). */
export function chunked(raw: Uint8Array, cuts: readonly number[]): AsyncIterable<Uint8Array> & fc.WithToStringMethod {
  const points = [...new Set(cuts.map((c) => (raw.length === 0 ? 0 : c % raw.length)))].sort((a, b) => a - b);
  return {
    [fc.toStringMethod]: () => `stream cut at [${points.join()}] of ${fc.stringify(raw)}`,
    async *[Symbol.asyncIterator]() {
      let start = 0;
      for (const point of points) {
        if (point > start) yield raw.subarray(start, point);
        start = Math.max(start, point);
      }
      if (start < raw.length || raw.length === 0) yield raw.subarray(start);
    },
  };
}

/** The body as a buffer, or as a stream in random chunks. */
export function asRawBody(raw: Uint8Array): fc.Arbitrary<Uint8Array | AsyncIterable<Uint8Array>> {
  return fc.oneof(
    fc.constant(raw),
    fc.array(fc.nat(), { maxLength: 5 }).map((cuts) => chunked(raw, cuts)),
  );
}

/** Merges header objects, keeping own `__proto__` keys. */
export function mergeHeaders(...parts: KlingHeaders[]): Record<string, string | readonly string[] | undefined> {
  const headers: Record<string, string | readonly string[] | undefined> = {};
  for (const part of parts) {
    for (const name of Object.keys(part)) {
      Object.defineProperty(headers, name, {
        value: part[name],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return headers;
}
