import { createHmac, randomBytes } from 'node:crypto';

/** One request autocannon sends: the exact bytes and headers, signed where the route needs it. */
export interface Delivery {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** How a route checks its requests: Kling's signature headers, or a callback token in the URL. */
export type Auth = 'signature' | 'token';

/** The bytes every request body has: the size of a typical succeeded-video callback. */
export const BODY_BYTES = 600;
const CALLBACK_AUDIENCE = 'kling-callback';

const TASK_ID = 'T'.repeat(18);
const ORDER = 'N'.repeat(9);

/** The body with placeholders for the 18-digit task id and the 9-digit order number, padded to BODY_BYTES. */
function bodyTemplate(): string {
  const body = {
    task_id: TASK_ID,
    task_status: 'succeed',
    task_status_msg: '',
    created_at: 1_774_805_076_166,
    updated_at: 1_774_805_190_123,
    task_info: { external_task_id: `order-${ORDER}` },
    task_result: {
      videos: [
        {
          id: `v-${TASK_ID}`,
          url: `https://cdn.klingai.example.com/kling/video/output/${TASK_ID}/0.mp4`,
          duration: '5.1',
          watermark_url: `https://cdn.klingai.example.com/kling/video/watermarked/${TASK_ID}/0.mp4`,
        },
      ],
    },
    final_unit_deduction: '1',
    final_balance_deduction: { quota: '1', list_price: '0.49' },
    model_name: '',
  };
  const unpadded = JSON.stringify(body).length;
  body.model_name = 'kling-v2-1-master'.padEnd(BODY_BYTES - unpadded, '-');
  return JSON.stringify(body);
}

const TEMPLATE = bodyTemplate();

/**
 * A legacy `succeed` callback as Kling sends it (one video, billing fields), exactly {@link BODY_BYTES} long. `n`
 * makes the task id and the external task id distinct, so every body is a new event for the dedupe store.
 */
export function callbackBody(n: number): string {
  const taskId = String(800_000_000_000_000_000n + BigInt(n));
  return TEMPLATE.replaceAll(TASK_ID, taskId).replace(ORDER, String(n).padStart(9, '0'));
}

/** The external task id {@link callbackBody} puts in body `n`: a callback token is bound to it. */
export function externalTaskId(n: number): string {
  return `order-${String(n).padStart(9, '0')}`;
}

/** The task id of the body whose external task id is `ext` (the inverse of {@link externalTaskId}). */
export function taskIdOfExternal(ext: string): string | undefined {
  const n = /^order-(\d{9})$/.exec(ext)?.[1];
  return n === undefined ? undefined : String(800_000_000_000_000_000n + BigInt(n));
}

/** Secrets shared by the load generator (which signs) and the server process (which verifies). */
export interface BenchSecrets {
  /** `whsec_…` Webhook Secret for `klingSignature`. */
  webhook: string;
  /** Secret of the callback tokens for `callbackToken`. */
  token: string;
}

export function randomSecrets(): BenchSecrets {
  return { webhook: `whsec_${randomBytes(32).toString('base64')}`, token: randomBytes(32).toString('base64url') };
}

const JWT_HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');

/**
 * Signs deliveries before a measurement, in the load generator's process: the server only verifies. Kling's
 * signature is HMAC-SHA256 over `id.timestamp.body` (Standard Webhooks); a callback token is an HS256 JWT bound to
 * the body's external task id, as `signCallbackUrl` makes them (signed here with node:crypto, which is synchronous:
 * a pool of 100k tokens takes a fraction of a second).
 */
export class DeliverySigner {
  private readonly webhookKey: Buffer;
  private readonly tokenKey: Buffer;
  private next = 0;

  constructor(secrets: BenchSecrets) {
    this.webhookKey = Buffer.from(secrets.webhook.slice('whsec_'.length), 'base64');
    this.tokenKey = Buffer.from(secrets.token);
  }

  /** A new delivery (a task id never used before) for the route at `path`. */
  sign(path: string, auth: Auth): Delivery {
    const n = this.next++;
    const body = callbackBody(n);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth === 'signature') {
      const id = `msg_${n.toString(36).padStart(12, '0')}`;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac('sha256', this.webhookKey).update(`${id}.${timestamp}.${body}`).digest('base64');
      headers['webhook-id'] = id;
      headers['webhook-timestamp'] = timestamp;
      headers['webhook-signature'] = `v1,${signature}`;
      return { method: 'POST', path, headers, body };
    }
    return { method: 'POST', path: `${path}?token=${this.token(externalTaskId(n))}`, headers, body };
  }

  /** `count` new deliveries. */
  pool(path: string, auth: Auth, count: number): Delivery[] {
    const pool = new Array<Delivery>(count);
    for (let i = 0; i < count; i++) pool[i] = this.sign(path, auth);
    return pool;
  }

  private token(ext: string): string {
    const now = Math.floor(Date.now() / 1000);
    const claims = { ext, aud: CALLBACK_AUDIENCE, iat: now, exp: now + 3600 };
    const input = `${JWT_HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${createHmac('sha256', this.tokenKey).update(input).digest('base64url')}`;
  }
}
