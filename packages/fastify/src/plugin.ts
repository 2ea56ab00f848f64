import { createKlingReceiver, type KlingReceiver } from '@kling-webhooks/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { FastifyKlingLogger } from './logger.js';
import type { KlingFastifyOptions } from './options.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Kling receiver registered by `@kling-webhooks/fastify`: add handlers with `app.kling.on(status, fn)`. */
    kling: KlingReceiver;
  }
}

/** The receiver, and whether its lines go to Fastify's loggers (no logger of the user's own was given). */
function receiverOf(app: FastifyInstance, options: KlingFastifyOptions): [KlingReceiver, boolean] {
  if (options.receiver !== undefined) return [options.receiver, false];
  const { path: _path, receiver: _receiver, ...receiverOptions } = options;
  if (receiverOptions.logger !== undefined) return [createKlingReceiver(receiverOptions), false];
  return [createKlingReceiver({ ...receiverOptions, logger: new FastifyKlingLogger(app.log) }), true];
}

const plugin: FastifyPluginAsync<KlingFastifyOptions> = async (app, options) => {
  const [receiver, requestLogs] = receiverOf(app, options);
  app.decorate('kling', receiver);

  // The body streams the content-type parser hands over, possibly wrapped by a preParsing hook (decompression).
  const bodies = new WeakMap<FastifyRequest, AsyncIterable<Uint8Array>>();

  // A child context: its catch-all parser only applies to the callback route, so every other route keeps Fastify's
  // JSON parser. The parser reads nothing: the receiver reads the stream itself after its method and content-type
  // checks, with its own size limit, so 405, 415 and 413 are the receiver's answers here as in every adapter.
  await app.register(async (route) => {
    route.removeAllContentTypeParsers();
    const handOver = (request: FastifyRequest, payload: AsyncIterable<Uint8Array>, done: (error: null) => void) => {
      // Usually the request itself: only a stream a hook wrapped is kept (a WeakMap entry per request costs the GC).
      if (payload !== request.raw) bodies.set(request, payload);
      done(null);
    };
    // Named as well as caught: Fastify caches the parser of a named type by the header's value, while every request
    // that falls to the catch-all has its header parsed again.
    route.addContentTypeParser('application/json', handOver);
    route.addContentTypeParser('*', handOver);
    route.all(options.path, async (request, reply) => {
      // A request's lines go to its request.log (with its reqId), passed along rather than found through an
      // AsyncLocalStorage, whose hooks would slow every promise of the app.
      const response = await receiver.handle({
        method: request.method,
        url: request.url,
        headers: request.headers,
        rawBody: bodies.get(request) ?? request.raw,
        logger: requestLogs ? new FastifyKlingLogger(request.log) : undefined,
      });
      return reply.code(response.status).headers(response.headers).send(response.body);
    });
  });
};

/**
 * Fastify plugin answering Kling callbacks on `options.path` (every method: POST is processed, others get the
 * receiver's 405). Decorates the instance with `kling`, the receiver.
 *
 * @example
 * await app.register(klingWebhooks, { path: '/webhooks/kling', verify: klingSignature({ secrets: [secret] }) });
 * app.kling.on('succeed', async (event) => save(event.videos));
 */
export const klingWebhooks = fp(plugin, { name: '@kling-webhooks/fastify', fastify: '5.x' });
