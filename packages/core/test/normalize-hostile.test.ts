import { KlingValidationError, normalize, normalizeMany } from '@kling-webhooks/core';
import { parseJson } from '@kling-webhooks/core/adapter';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutatedBody as mutated } from './body-arbitraries.js';
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
