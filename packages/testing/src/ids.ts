import { randomBytes, randomInt } from 'node:crypto';

/**
 * A random 18-digit task id, as Kling issues them. Always a string: values this long are not safe JS numbers.
 */
export function randomTaskId(): string {
  let id = String(randomInt(1, 10));
  while (id.length < 18) id += String(randomInt(0, 1_000_000)).padStart(6, '0');
  return id.slice(0, 18);
}

/** A random id for requests, deliveries and outputs: `prefix` followed by 16 hex digits. */
export function randomId(prefix = ''): string {
  return `${prefix}${randomBytes(8).toString('hex')}`;
}

/** A fresh Kling-style webhook secret: `whsec_` followed by 32 random bytes in base64. */
export function randomWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
