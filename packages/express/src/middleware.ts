import type { ServerResponse } from 'node:http';
import { createKlingReceiver, type KlingReceiver } from '@kling-webhooks/core';
import type { Application, NextFunction, Request, RequestHandler, Response } from 'express';
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

/** Adds `layer` to the parent app's router, then moves it in front of every middleware mounted before. */
function mountFirst(parent: Application, mountpath: string, layer: RequestHandler): void {
  const router = parent.router;
  router.use(mountpath, layer);
  const added = router.stack.pop();
  if (added !== undefined) router.stack.unshift(added);
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

  const answer = (
    req: Request,
    res: ServerResponse,
    next: NextFunction,
    rawBody: Uint8Array | AsyncIterable<Uint8Array>,
  ): void => {
    receiver
      .handle({ method: req.method, url: req.originalUrl, headers: req.headers, rawBody })
      .then((response) => res.writeHead(response.status, response.headers).end(response.body), next);
  };

  const handle = (req: Request, res: Response, next: NextFunction): void => {
    if (!isOnPath(req, path)) {
      next();
      return;
    }
    const rawBody = rawBodyOf(req);
    if (rawBody !== undefined) answer(req, res, next, rawBody);
    // The receiver refuses other methods before it looks at a body: only a POST needs the bytes.
    else if (req.method !== 'POST') answer(req, res, next, new Uint8Array());
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
      (overflow) => (overflow === undefined ? next() : answer(req, res, next, overflow)),
      next,
    );
  };

  // app.use() tells only sub-applications that they were mounted, and recognises them by `handle` and `set`. Having
  // both (without being an app: no settings, no prototype swap) is how the middleware learns its parent app, so that
  // the capture layer can go in front of the parent's body parsers.
  const mountable = Object.assign(handle, {
    receiver,
    handle,
    mountpath: '/',
    set: () => mountable,
    emit: (event: string, parent: Application): boolean => {
      if (event === 'mount') mountFirst(parent, mountable.mountpath, capture);
      return true;
    },
  });
  return mountable;
}
