import type { Server, ServerResponse } from 'node:http';
import { klingWebhooks } from '@kling-webhooks/express';
import express from 'express';
import type { BenchSecrets } from '../deliveries.js';
import { isHandWritten, isOurs, ROUTES, type RouteName } from '../routes.js';
import { BODY_LIMIT, type HandWrittenHandler, handWritten } from './hand-written.js';
import { BODY, JSON_HEADERS, type Outcome, STATUS } from './outcome.js';
import { readBody } from './read-body.js';
import { handlerOf, receiverOptions } from './receivers.js';

/**
 * An Express 5 app as users write one: the hand-written webhook routes first (before the app's JSON parser would
 * consume their bodies), `express.json()` for the app's routes, our middleware with `app.use`.
 */
export async function expressServer(routes: readonly RouteName[], secrets: BenchSecrets): Promise<Server> {
  const app = express();
  for (const route of routes) {
    if (!isHandWritten(route)) continue;
    const handle = handWritten(route, secrets);
    // The peer takes the body as the standardwebhooks docs show (`express.raw`); the floors read the stream.
    if (route === 'peer') {
      app.post(ROUTES[route].path, express.raw({ type: 'application/json', limit: BODY_LIMIT }), (req, res) => {
        answer(res, handle, req.headers, req.body as Buffer);
      });
    } else {
      app.post(ROUTES[route].path, (req, res, next) => {
        readBody(req, BODY_LIMIT).then((body) => {
          if (body === undefined)
            res.writeHead(413, JSON_HEADERS).end('{"error":"body_too_large"}', () => req.destroy());
          else answer(res, handle, req.headers, body);
        }, next);
      });
    }
  }
  app.use(express.json());
  for (const route of routes) {
    if (!isOurs(route)) continue;
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

/** Answers the outcome with node's own `writeHead`/`end`, the cheapest answer Express has (no await on a sync one). */
function answer(
  res: ServerResponse,
  handle: HandWrittenHandler,
  headers: Parameters<HandWrittenHandler>[0],
  body: Buffer,
): void {
  const send = (outcome: Outcome): void => {
    res.writeHead(STATUS[outcome], JSON_HEADERS).end(BODY[outcome]);
  };
  const outcome = handle(headers, body);
  if (typeof outcome === 'string') send(outcome);
  else outcome.then(send, () => res.writeHead(500, JSON_HEADERS).end('{"error":"internal"}'));
}
