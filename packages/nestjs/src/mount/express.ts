import type { IncomingMessage, ServerResponse } from 'node:http';
import { KlingConfigError, type KlingReceiver } from '@kling-webhooks/core';
import type { Application } from 'express';

/**
 * Mounts the receiver at `path` on a Nest Express app. Nest registers its JSON and urlencoded parsers (and any
 * `consumer.apply` middleware) before modules initialise, and they would consume the body; so the route is moved
 * to the front of Express's router stack, where the receiver reads the exact bytes itself, with or without
 * `rawBody: true`. It still runs before Nest's 404 handler, which is added after module init.
 */
export function mountExpress(app: Application, path: string, receiver: KlingReceiver): void {
  app.all(path, (req: IncomingMessage, res: ServerResponse) => {
    void answer(req, res, receiver);
  });
  const stack: unknown[] | undefined = app.router?.stack;
  if (!Array.isArray(stack)) {
    throw new KlingConfigError('cannot mount the Kling route: this Express version has no app.router.stack');
  }
  stack.unshift(stack.pop());
}

async function answer(req: IncomingMessage, res: ServerResponse, receiver: KlingReceiver): Promise<void> {
  const response = await receiver.handle({
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headers,
    rawBody: req,
  });
  res.writeHead(response.status, response.headers).end(response.body);
}
