import { KlingValidationError } from './validation-error.js';

/**
 * Deepest nesting accepted in a body. Kling's deepest field (`task_result.videos[].duration` inside a query envelope)
 * is five levels down; the margin is for fields added later and for relays that wrap bodies.
 */
export const MAX_JSON_DEPTH = 32;
/**
 * Most values (objects, arrays and members, counted by their separators) accepted in a body. A callback holds well
 * under a hundred; `JSON.parse` of a 1 MiB body of a few hundred thousand tiny values costs over 100 ms of CPU, of
 * ten thousand a few ms.
 */
export const MAX_JSON_VALUES = 10_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Refuses a body whose nesting or number of values is beyond what Kling sends, before `JSON.parse` builds it: the
 * work of parsing (and of everything after it) then grows with the body's bytes only, not with its shape. One pass
 * over the bytes; string contents are skipped (`"` and `\` never occur inside a multi-byte UTF-8 sequence). Invalid
 * JSON that passes is left to `JSON.parse` to refuse.
 * @throws {KlingValidationError} with path `''`.
 */
export function checkJsonShape(raw: Uint8Array): void {
  let depth = 0;
  let values = 0;
  for (let i = 0, n = raw.length; i < n; i++) {
    const byte = raw[i];
    if (byte === QUOTE) {
      // Skip to the closing quote; an escaped character (including `\"`) is skipped with its backslash.
      for (i++; i < n && raw[i] !== QUOTE; i++) if (raw[i] === BACKSLASH) i++;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new KlingValidationError('', `JSON nested at most ${MAX_JSON_DEPTH} levels deep`);
      }
      if (++values > MAX_JSON_VALUES) throw tooMany();
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    } else if (byte === COMMA || byte === COLON) {
      if (++values > MAX_JSON_VALUES) throw tooMany();
    }
  }
}

function tooMany(): KlingValidationError {
  return new KlingValidationError('', `JSON of at most ${MAX_JSON_VALUES} values`);
}
