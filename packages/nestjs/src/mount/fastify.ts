import type { KlingReceiver } from '@kling-webhooks/core';
import { klingWebhooks } from '@kling-webhooks/fastify';
import type { FastifyInstance } from 'fastify';

/**
 * Mounts the receiver at `path` on a Nest Fastify app with the `@kling-webhooks/fastify` plugin: its route lives in
 * its own encapsulated context whose only content-type parser hands the unread body on, so the receiver reads the
 * exact bytes itself (with its size limit), whatever parsers and `rawBody` option the app has, and other routes keep
 * Nest's parsers. Registered before Nest calls `listen()` (the plugin also decorates the instance with `kling`).
 */
export function mountFastify(app: FastifyInstance, path: string, receiver: KlingReceiver): void {
  app.register(klingWebhooks, { path, receiver });
}
