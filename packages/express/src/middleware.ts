import { createKlingReceiver, type KlingReceiver } from '@kling-webhooks/core';
import type { Application, NextFunction, Request, RequestHandler, Response } from 'express';
import { answer } from './answer.js';
import { mountAheadOfEverything, onMountedByApp } from './express-internals.js';
import type { KlingExpressOptions } from './options.js';
import { captureRawBody, isCaptured, rawBodyOf } from './raw-body.js';

/** The middleware `klingWebhooks` returns: mount it with `app.use`. */
export type KlingExpressMiddleware = RequestHandler & {
  /** The receiver behind the route: add handlers with `.on(status, handler)`. */
  readonly receiver: KlingReceiver;
};

const BODY_CONSUMED =
  'kling-webhooks: the callback body was already read by another middleware (a body parser such as express.json() ' +
  'or express.text()), so its signature cannot be checked over the exact bytes received. Mount klingWebhooks() with ' +
  'app.use() on the Express application that has the body parsers (it then reads the callback body ahead of them), ' +
  'or mount it before any body parser when it sits in a Router or a route, or parse this path with express.raw().';

function receiverOf(options: KlingExpressOptions): KlingReceiver {
  if (options.receiver !== undefined) return options.receiver;
  const { path: _path, receiver: _receiver, ...receiverOptions } = options;
  return createKlingReceiver(receiverOptions);
}

/** `req.path` is relative to where the middleware is mounted; a trailing slash is tolerated as Express does. */
function isOnPath(req: Request, path: string): boolean {
  const actual = req.path;
  return actual === path || (actual.length === path.length + 1 && actual.endsWith('/') && actual.startsWith(path));
}

/**
 * Express middleware that answers Kling callbacks on `options.path` (every method: POST is processed, others get the
 * receiver's 405) and calls `next()` for every other path.
 *
 * It needs the exact bytes received. Mounted with `app.use()` on an application, it puts a small layer in front of
 * that application's middleware which reads the callback body first, so `express.json()`, `express.raw()` or
 * `express.text()` mounted earlier skip it. Elsewhere (in a Router or a route) it reads the body itself, takes a Buffer
 * left by `express.raw()` or a `rawBody` option, and otherwise answers 500 and logs what to change.
 *
 * @example
 * app.use(klingWebhooks({ path: '/webhooks/kling', verify: klingSignature({ secrets: [secret] }) }));
 */
export function klingWebhooks(options: KlingExpressOptions): KlingExpressMiddleware {
  const { path } = options;
  const receiver = receiverOf(options);
  const { logger } = receiver.options;

  const handle = (req: Request, res: Response, next: NextFunction): void => {
    if (!isOnPath(req, path)) {
      next();
      return;
    }
    const rawBody = rawBodyOf(req);
    if (rawBody !== undefined) answer(receiver, req, res, next, rawBody);
    // The receiver refuses other methods before it looks at a body: only a POST needs the bytes.
    else if (req.method !== 'POST') answer(receiver, req, res, next, new Uint8Array());
    else {
      logger.error(BODY_CONSUMED, { path: req.path });
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end('{"error":"raw_body_unavailable"}');
    }
  };

  const capture = (req: Request, res: Response, next: NextFunction): void => {
    if (!isOnPath(req, path) || isCaptured(req) || req.readableDidRead) {
      next();
      return;
    }
    captureRawBody(req, receiver.options.maxBodyBytes, receiver.options.bodyTimeoutMs).then(
      (overflow) => (overflow === undefined ? next() : answer(receiver, req, res, next, overflow)),
      next,
    );
  };

  // Mounted with app.use() on an application, the capture layer goes in front of that application's body parsers.
  return Object.assign(
    onMountedByApp(handle, (parent, mountpath) => mountAheadOfEverything(parent, mountpath, capture)),
    { receiver },
  );
}

/**
 * Creates the same middleware as {@link klingWebhooks} and mounts it in front of everything `app` has (body parsers,
 * middleware and routes mounted before or after): requests on `options.path` are answered there, and nothing else of
 * the app runs for them. For applications a framework builds before user code runs (NestJS); with a plain Express
 * app, `app.use(klingWebhooks(options))` keeps the app's own middleware in front of the route.
 *
 * @throws {@link KlingConfigError} when this Express version's router is not one the adapter can mount in front of.
 */
export function mountKlingWebhooksFirst(app: Application, options: KlingExpressOptions): KlingExpressMiddleware {
  const middleware = klingWebhooks(options);
  mountAheadOfEverything(app, '/', middleware);
  return middleware;
}
