import type { KlingHeaders } from './request.js';

/**
 * One header's value, looked up case-insensitively. A repeated header (an array) counts only when all its values are
 * equal: a request that repeats a security header with different values must not pick whichever one verifies.
 */
export function headerValue(headers: KlingHeaders, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    const lower = name.toLowerCase();
    for (const key in headers) {
      if (key.length === lower.length && key.toLowerCase() === lower) {
        value = headers[key];
        break;
      }
    }
  }
  if (value === undefined || typeof value === 'string') return value;
  const [first, ...rest] = value;
  return first !== undefined && rest.every((v) => v === first) ? first : undefined;
}
