import type { Server } from 'node:http';
import { takeArrivedBody } from '@kling-webhooks/core';
import { klingWebhooks } from '@kling-webhooks/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BenchSecrets } from '../deliveries.js';
import { ROUTES, type RouteName } from '../routes.js';
import { handlerOf, receiverOptions } from './receivers.js';

/** A Fastify 5 app: the bare route uses Fastify's JSON parser; each of our routes is the plugin in its own context. */
export async function fastifyServer(routes: readonly RouteName[], secrets: BenchSecrets): Promise<Server> {
  const app = Fastify();
  app.post(ROUTES.bare.path, async () => ({ ok: true }));
  if (routes.includes('raw')) await app.register(rawRoute);
  for (const route of routes) {
    if (route === 'bare' || route === 'raw') continue;
    // One plugin per context: `app.kling` is decorated once per context.
    await app.register(async (scope) => {
      await scope.register(klingWebhooks, { path: ROUTES[route].path, ...receiverOptions(route, secrets) });
      scope.kling.on('succeed', handlerOf(route));
    });
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app.server;
}

/**
 * The breakdown's floor: what our route does without the receiver. Same catch-all parser as the plugin, the body taken
 * the same way, parsed, and the same answer.
 */
async function rawRoute(scope: FastifyInstance): Promise<void> {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  scope.post(ROUTES.raw.path, async (request, reply) => {
    const body = await takeArrivedBody(request.raw, 1024 * 1024);
    JSON.parse(Buffer.from(body ?? []).toString());
    return reply.code(200).header('content-type', 'application/json; charset=utf-8').send('{"ok":true}');
  });
}
