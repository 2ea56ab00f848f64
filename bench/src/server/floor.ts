import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Dedupe } from './dedupe.js';
import type { Outcome } from './outcome.js';

/** Standard Webhooks' tolerance for the signed timestamp, in seconds. */
const TOLERANCE_SEC = 300;

/**
 * The least verification of a Kling (Standard Webhooks) signature: the timestamp within tolerance, one HMAC-SHA256 of
 * `id.timestamp.body` with `node:crypto`, and a constant-time compare with each `v1,` signature of the header.
 */
export function floorVerifier(secret: string): (headers: IncomingHttpHeaders, body: string | Buffer) => boolean {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  return (headers, body) => {
    const id = headers['webhook-id'];
    const timestamp = headers['webhook-timestamp'];
    const signatures = headers['webhook-signature'];
    if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
    if (!(Math.abs(Date.now() / 1000 - Number(timestamp)) <= TOLERANCE_SEC)) return false;
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
    for (const signature of signatures.split(' ')) {
      if (!signature.startsWith('v1,')) continue;
      const given = Buffer.from(signature.slice(3), 'base64');
      if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    }
    return false;
  };
}

/** The fields the floor needs from a callback: the dedupe key. */
interface KeyFields {
  task_id?: unknown;
  task_status?: unknown;
}

/**
 * The floor route's work after the framework has the body: verify, `JSON.parse` (unless the platform already parsed
 * it: pass `parsed`), dedupe on `task_id:task_status`, call the handler for a new event.
 */
export function floorRoute(
  secret: string,
  dedupe: Dedupe,
  handler: () => unknown,
): (headers: IncomingHttpHeaders, body: string | Buffer, parsed?: unknown) => Outcome | Promise<Outcome> {
  const verify = floorVerifier(secret);
  const settle = (fresh: boolean): Outcome => {
    if (!fresh) return 'duplicate';
    handler();
    return 'accepted';
  };
  return (headers, body, parsed) => {
    if (!verify(headers, body)) return 'unauthorized';
    let event: KeyFields;
    try {
      event = (parsed ?? JSON.parse(typeof body === 'string' ? body : body.toString())) as KeyFields;
    } catch {
      return 'invalid';
    }
    if (typeof event !== 'object' || event === null) return 'invalid';
    const { task_id, task_status } = event;
    if (typeof task_id !== 'string' || typeof task_status !== 'string') return 'invalid';
    const fresh = dedupe(`${task_id}:${task_status}`);
    return typeof fresh === 'boolean' ? settle(fresh) : fresh.then(settle);
  };
}
