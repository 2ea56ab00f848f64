import type { Server } from 'node:http';
import { klingWebhooks } from '@kling-webhooks/fastify';
import Fastify from 'fastify';
import type { BenchSecrets } from '../deliveries.js';
import { ROUTES, type RouteName } from '../routes.js';
import { handlerOf, receiverOptions } from './receivers.js';

/** A Fastify 5 app: the bare route uses Fastify's JSON parser; each of our routes is the plugin in its own context. */
export async function fastifyServer(routes: readonly RouteName[], secrets: BenchSecrets): Promise<Server> {
  const app = Fastify();
  app.post(ROUTES.bare.path, async () => ({ ok: true }));
  for (const route of routes) {
    if (route === 'bare') continue;
    // One plugin per context: `app.kling` is decorated once per context.
    await app.register(async (scope) => {
      await scope.register(klingWebhooks, { path: ROUTES[route].path, ...receiverOptions(route, secrets) });
      scope.kling.on('succeed', handlerOf(route));
    });
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app.server;
}
