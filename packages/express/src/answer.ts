import type { ServerResponse } from 'node:http';
import type { KlingReceiver } from '@kling-webhooks/core';
import type { NextFunction, Request } from 'express';

/**
 * The whole of what Express does for a callback: hands the receiver the request's method, URL, headers and body, and
 * writes its answer. A failure of the receiver itself (not a refusal, which is an answer) goes to Express's error
 * handling through `next`.
 */
export function answer(
  receiver: KlingReceiver,
  req: Request,
  res: ServerResponse,
  next: NextFunction,
  rawBody: Uint8Array | AsyncIterable<Uint8Array>,
): void {
  receiver
    .handle({ method: req.method, url: req.originalUrl, headers: req.headers, rawBody })
    .then((response) => res.writeHead(response.status, response.headers).end(response.body), next);
}
