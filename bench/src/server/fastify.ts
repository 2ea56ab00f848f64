import type { Server } from 'node:http';
import { takeArrivedBody } from '@kling-webhooks/core/adapter';
import { klingWebhooks } from '@kling-webhooks/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BenchSecrets } from '../deliveries.js';
import { type HandWrittenRoute, isHandWritten, isOurs, ROUTES, type RouteName } from '../routes.js';
import { BODY_LIMIT, handWritten } from './hand-written.js';
import { BODY, JSON_HEADERS, type Outcome, STATUS } from './outcome.js';
import { handlerOf, receiverOptions } from './receivers.js';

/** A Fastify 5 app: the bare route uses Fastify's JSON parser; each of our routes is the plugin in its own context. */
export async function fastifyServer(routes: readonly RouteName[], secrets: BenchSecrets): Promise<Server> {
  const app = Fastify();
  app.post(ROUTES.bare.path, async () => ({ ok: true }));
  if (routes.includes('raw')) await app.register(rawRoute);
  const handWrittenRoutes = routes.filter(isHandWritten);
  if (handWrittenRoutes.length > 0) {
    await app.register(async (scope) => handWrittenScope(scope, handWrittenRoutes, secrets));
  }
  for (const route of routes) {
    if (!isOurs(route)) continue;
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
 * The hand-written routes, in one encapsulated context whose JSON parser hands the body on as a string (Fastify's
 * cheapest raw-body path; its limit answers 413); the app's other routes keep Fastify's JSON parser.
 */
function handWrittenScope(scope: FastifyInstance, routes: readonly HandWrittenRoute[], secrets: BenchSecrets): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) =>
    done(null, body),
  );
  for (const route of routes) {
    const handle = handWritten(route, secrets);
    scope.post(ROUTES[route].path, (request, reply) => {
      const send = (outcome: Outcome): void => {
        void reply.code(STATUS[outcome]).header('content-type', JSON_HEADERS['content-type']).send(BODY[outcome]);
      };
      const outcome = handle(request.headers, typeof request.body === 'string' ? request.body : '');
      if (typeof outcome === 'string') send(outcome);
      else outcome.then(send, (error: unknown) => reply.send(error));
    });
  }
}

/**
 * The breakdown's floor: what our route does without the receiver. Same parsers as the plugin (JSON named, the rest caught), the body taken
 * the same way, parsed, and the same answer.
 */
async function rawRoute(scope: FastifyInstance): Promise<void> {
  scope.removeAllContentTypeParsers();
  const handOver = (_request: unknown, _payload: unknown, done: (error: null) => void) => done(null);
  scope.addContentTypeParser('application/json', handOver);
  scope.addContentTypeParser('*', handOver);
  scope.post(ROUTES.raw.path, async (request, reply) => {
    const body = await takeArrivedBody(request.raw, 1024 * 1024);
    JSON.parse(Buffer.from(body ?? []).toString());
    return reply.code(200).header('content-type', 'application/json; charset=utf-8').send('{"ok":true}');
  });
}
