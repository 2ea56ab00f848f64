import { KlingConfigError } from '../errors.js';

/** `value` when it is a whole number >= `min`; otherwise a `KlingConfigError` naming `owner` and the option. */
export function wholeNumberOption(owner: string, name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new KlingConfigError(`${owner}: ${name} must be a whole number >= ${min}`);
  }
  return value;
}
