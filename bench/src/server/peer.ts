import type { IncomingHttpHeaders } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { z } from 'zod';
import { mapDedupe } from './dedupe.js';
import type { Outcome } from './outcome.js';

/** Kling's legacy callback body as a user would declare it with zod (unknown fields are dropped). */
const KlingCallback = z.object({
  task_id: z.string(),
  task_status: z.enum(['submitted', 'processing', 'succeed', 'failed']),
  task_status_msg: z.string().optional(),
  created_at: z.number(),
  updated_at: z.number(),
  task_info: z.object({ external_task_id: z.string().optional() }).optional(),
  task_result: z
    .object({
      videos: z.array(z.object({ id: z.string(), url: z.string(), duration: z.string() })).optional(),
      images: z.array(z.object({ index: z.number(), url: z.string() })).optional(),
    })
    .optional(),
});

/**
 * The route a user writes with the reference libraries: `new Webhook(secret).verify(raw, headers)` (which checks the
 * timestamp and the signature, then returns the `JSON.parse`d body), the zod schema, a bounded `Map` keyed
 * `task_id:task_status`, the handler for a new event.
 */
export function peerRoute(
  secret: string,
  handler: () => unknown,
  dedupe: (key: string) => boolean = mapDedupe(),
): (headers: IncomingHttpHeaders, body: string | Buffer) => Outcome {
  const webhook = new Webhook(secret);
  return (headers, body) => {
    let payload: unknown;
    try {
      payload = webhook.verify(body, headers as Record<string, string>);
    } catch (error) {
      // A signature that does not verify is a 401; a verified body that is not JSON is a 400.
      return error instanceof WebhookVerificationError ? 'unauthorized' : 'invalid';
    }
    const parsed = KlingCallback.safeParse(payload);
    if (!parsed.success) return 'invalid';
    if (!dedupe(`${parsed.data.task_id}:${parsed.data.task_status}`)) return 'duplicate';
    handler();
    return 'accepted';
  };
}
