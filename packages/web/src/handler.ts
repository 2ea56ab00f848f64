import { createKlingReceiver, type KlingReceiver, type KlingResponse } from '@kling-webhooks/core';
import type { KlingWaitUntil, KlingWebContext, KlingWebOptions } from './options.js';
import { klingRequestOf } from './request.js';

/** The handler `klingWebhooks` returns: `(request, context?) => Promise<Response>`, with its receiver. */
export interface KlingFetchHandler {
  /**
   * Answers one request. `context` may be anything the runtime passes second (Next.js's route context, Deno's
   * connection info, a Workers `ExecutionContext`): its `waitUntil` method is used when it has one
   * ({@link KlingWebContext}), so the handler can be given to any of them as it is.
   */
  (request: Request, context?: KlingWebContext | object): Promise<Response>;
  /** The receiver behind the handler: add handlers with `.on(status, handler)`. */
  readonly receiver: KlingReceiver;
}

const INTERNAL_ERROR = '{"error":"internal_error"}';

function receiverOf(options: KlingWebOptions): KlingReceiver {
  if (options.receiver !== undefined) return options.receiver;
  const { receiver: _receiver, waitUntil: _waitUntil, ...receiverOptions } = options;
  return createKlingReceiver(receiverOptions);
}

function hasWaitUntil(context: unknown): context is KlingWebContext {
  return typeof (context as Partial<KlingWebContext> | null | undefined)?.waitUntil === 'function';
}

function responseOf({ status, headers, body }: KlingResponse): Response {
  // `Connection: close` (a body left unread) is kept: it tells the client not to reuse the connection, which a server
  // may close once it gives up draining the rest.
  return new Response(body, { status, headers });
}

/**
 * A fetch-style handler for Kling callbacks, for runtimes built on web `Request`/`Response`: Next.js route handlers,
 * Hono, Bun, Deno, Cloudflare Workers. Every request given to it is treated as a callback (route it where Kling
 * calls): POST is processed, other methods get the receiver's 405. The answer is the receiver's, as with the Node
 * adapters: 200, 202 when handlers outlast `ackTimeoutMs` (their work is handed to `waitUntil`), 401, 400, 405, 413,
 * 415, 409, 500, 503. It never rejects.
 *
 * @example
 * const handler = klingWebhooks({ verify: klingSignature({ secrets: [secret] }) });
 * handler.receiver.on('succeed', (event) => save(event));
 * export default { fetch: (request, env, ctx) => handler(request, ctx) };
 */
export function klingWebhooks(options: KlingWebOptions): KlingFetchHandler {
  const receiver = receiverOf(options);
  const { logger } = receiver.options;
  const fallback: KlingWaitUntil | undefined = options.waitUntil;

  const handler = async (request: Request, context?: KlingWebContext | object): Promise<Response> => {
    try {
      const input = klingRequestOf(request);
      const waitUntil = hasWaitUntil(context) ? (work: Promise<unknown>) => context.waitUntil(work) : fallback;
      if (waitUntil !== undefined) input.waitUntil = waitUntil;
      return responseOf(await receiver.handle(input));
    } catch (error) {
      // Only reading the request's headers can throw here: the receiver itself never rejects.
      logger.error('web handler failed before the receiver; answered 500', {
        error: error instanceof Error ? error.name : typeof error,
      });
      return new Response(INTERNAL_ERROR, {
        status: 500,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
    }
  };
  return Object.assign(handler, { receiver });
}
