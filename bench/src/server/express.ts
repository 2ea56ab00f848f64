import type { Server } from 'node:http';
import { klingWebhooks } from '@kling-webhooks/express';
import express from 'express';
import type { BenchSecrets } from '../deliveries.js';
import { ROUTES, type RouteName } from '../routes.js';
import { handlerOf, receiverOptions } from './receivers.js';

/** An Express 5 app as users write one: `express.json()` for the app's routes, our middleware with `app.use`. */
export async function expressServer(routes: readonly RouteName[], secrets: BenchSecrets): Promise<Server> {
  const app = express();
  app.use(express.json());
  for (const route of routes) {
    if (route === 'bare' || route === 'raw') continue;
    const middleware = klingWebhooks({ path: ROUTES[route].path, ...receiverOptions(route, secrets) });
    middleware.receiver.on('succeed', handlerOf(route));
    app.use(middleware);
  }
  app.post(ROUTES.bare.path, (_req, res) => {
    res.json({ ok: true });
  });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}
