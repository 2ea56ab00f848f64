import { createKlingReceiver, type KlingTaskEvent, klingSignature, memoryStore } from '@kling-webhooks/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKeyPart, storeKeys } from '../src/store/keys.js';
import { captureLogger, json, legacyBody, SECRET, signedRequest } from './receiver-fixtures.js';

/** Ids and statuses built from the characters that carry structure in keys, plus words and unicode. */
const part = fc.oneof(
  fc.string({ unit: fc.constantFrom(':', '{', '}', '%', '3', 'A', 'a', 'e', 't', 'p', '7', 'B', 'D') }),
  fc.constantFrom('terminal', 'e', 't', 'p', 'succeed', 'B:succeed', 'A:B', '%3A', '{x}', '\ud800', '任务:完成'),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
);

type Triple = { kind: 'event' | 'terminal' | 'pairing'; id: string; status: string };
const triple: fc.Arbitrary<Triple> = fc.record({
  kind: fc.constantFrom('event', 'terminal', 'pairing'),
  id: part,
  status: part,
});
const keyOf = (t: Triple): string =>
  t.kind === 'event'
    ? storeKeys.event(t.id, t.status)
    : t.kind === 'terminal'
      ? storeKeys.terminal(t.id)
      : storeKeys.pairing(t.id);
/** Triples that name one thing: terminal and pairing keys have no status. */
const same = (a: Triple, b: Triple): boolean =>
  a.kind === b.kind && a.id === b.id && (a.kind !== 'event' || a.status === b.status);

describe('store keys', () => {
  it('maps distinct (kind, task, status) triples to distinct keys', () => {
    fc.assert(
      fc.property(triple, triple, (a, b) => {
        if (!same(a, b)) expect(keyOf(a)).not.toBe(keyOf(b));
      }),
      { numRuns: 20_000 },
    );
  });

  it('encodes each component injectively and never throws (lone surrogates included)', () => {
    fc.assert(
      fc.property(part, part, (a, b) => {
        if (a !== b) expect(encodeKeyPart(a)).not.toBe(encodeKeyPart(b));
        expect(encodeKeyPart(a)).not.toMatch(/[:{}]/);
      }),
      { numRuns: 20_000 },
    );
  });

  it('puts every key of one task behind the same Redis hash tag, the task id itself', () => {
    fc.assert(
      fc.property(part, part, (id, status) => {
        const tag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];
        expect(tag(storeKeys.event(id, status))).toBe(encodeKeyPart(id));
        expect(tag(storeKeys.terminal(id))).toBe(encodeKeyPart(id));
      }),
    );
  });

  it('leaves ids without special characters as they are (no copy on the hot path)', () => {
    expect(storeKeys.event('842250903629086785', 'succeed')).toBe('{842250903629086785}:e:succeed');
    expect(storeKeys.event('A', 'B:succeed')).toBe('{A}:e:B%3Asucceed');
    expect(storeKeys.event('A:B', 'succeed')).toBe('{A%3AB}:e:succeed');
  });
});

describe('receiver: keys of different tasks never collide (issue example)', () => {
  const receiver = () => {
    const r = createKlingReceiver({
      verify: klingSignature({ secrets: [SECRET] }),
      store: memoryStore(),
      logger: captureLogger(),
    });
    const seen: KlingTaskEvent[] = [];
    r.on('*', (event) => {
      seen.push(event);
    });
    return { r, seen };
  };

  it("task A with status 'B:succeed' does not make task A:B's succeed a duplicate", async () => {
    const { r, seen } = receiver();
    expect((await r.handle(signedRequest(legacyBody('A', 'B:succeed')))).status).toBe(200);
    const real = await r.handle(signedRequest(legacyBody('A:B', 'succeed')));
    expect(json(real)).toEqual({ ok: true });
    expect(seen.map((e) => [e.taskId, e.rawStatus])).toEqual([
      ['A', 'B:succeed'],
      ['A:B', 'succeed'],
    ]);
  });

  it("a raw status 'terminal' does not end the task", async () => {
    const { r, seen } = receiver();
    expect((await r.handle(signedRequest(legacyBody('T-1', 'terminal')))).status).toBe(200);
    expect(json(await r.handle(signedRequest(legacyBody('T-1', 'processing'))))).toEqual({ ok: true });
    expect(seen.map((e) => e.rawStatus)).toEqual(['terminal', 'processing']);
  });
});
