import { checkJsonShape } from './json-shape.js';
import { isRecord } from './record.js';
import { KlingValidationError } from './validation-error.js';

// fatal: a body that is not UTF-8 is rejected rather than repaired with U+FFFD (the signature covered the bytes).
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a raw request body: its shape bounded (see {@link checkJsonShape}), strict UTF-8, then `JSON.parse`; the top
 * level must be an object.
 * @throws {KlingValidationError} with path `''` on a body nested too deep or of too many values, invalid UTF-8,
 * invalid JSON or a non-object top level.
 */
export function parseJson(raw: Uint8Array): Record<string, unknown> {
  checkJsonShape(raw);
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new KlingValidationError('', 'UTF-8 text');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The SyntaxError is not kept as the cause: its message quotes part of the body.
    throw new KlingValidationError('', 'valid JSON');
  }
  if (!isRecord(value)) throw new KlingValidationError('', 'a JSON object at the top level');
  return value;
}
