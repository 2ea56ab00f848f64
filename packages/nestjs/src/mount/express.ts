import type { KlingReceiver } from '@kling-webhooks/core';
import { mountKlingWebhooksFirst } from '@kling-webhooks/express';
import type { Application } from 'express';

/**
 * Mounts the receiver at `path` on a Nest Express app with `@kling-webhooks/express`, in front of everything the app
 * has: Nest registers its JSON and urlencoded parsers (and any `consumer.apply` middleware) before modules initialise,
 * and they would consume the body. The receiver reads the exact bytes itself, with or without `rawBody: true`, and
 * answers before Nest's 404 handler (added after module init) could.
 */
export function mountExpress(app: Application, path: string, receiver: KlingReceiver): void {
  mountKlingWebhooksFirst(app, { path, receiver });
}
