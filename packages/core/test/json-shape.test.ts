import { KlingValidationError } from '@kling-webhooks/core';
import { parseJson } from '@kling-webhooks/core/adapter';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from './fuzz-fixtures.js';

const encode = (text: string) => new TextEncoder().encode(text);
/** Strings that look like structure: the scan must skip them, escapes included. */
const tricky = fc.stringMatching(/^[[\]{}",:\\a]{0,8}$/);

function nested(depth: number, leaf: string): string {
  let text = JSON.stringify(leaf);
  for (let i = 1; i < depth; i++) text = i % 2 ? `[${text}]` : `{"k":${text}}`;
  return `{"k":${text}}`;
}

describe('parseJson bounds the shape before parsing', () => {
  it('accepts nesting up to 32 levels and refuses deeper, whatever the strings hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), tricky, (depth, leaf) => {
        const text = nested(depth, leaf);
        if (depth <= 32) {
          expect(parseJson(encode(text))).toEqual(JSON.parse(text));
        } else {
          expect(() => parseJson(encode(text))).toThrow(KlingValidationError);
        }
      }),
      fuzzParameters(300),
    );
  });

  it('accepts any small JSON object as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.dictionary(tricky, fc.jsonValue({ maxDepth: 4 })), (value) => {
        const text = JSON.stringify(value);
        expect(parseJson(encode(text))).toEqual(JSON.parse(text));
      }),
      fuzzParameters(300),
    );
  });

  it('refuses more than 10,000 values with a 400 at the top', () => {
    const ok = `{"a":[${Array(9_000).fill(0)}]}`;
    expect(parseJson(encode(ok)).a).toHaveLength(9_000);
    const error = (() => {
      try {
        parseJson(encode(`{"a":[${Array(10_001).fill(0)}]}`));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(KlingValidationError);
    expect((error as KlingValidationError).path).toBe('');
  });
});
