import type { KlingReceiver } from '@kling-webhooks/core';
import type { FastifyInstance } from 'fastify';

/**
 * Mounts the receiver at `path` on a Nest Fastify app, inside its own encapsulated context whose only content-type
 * parser hands the unread body stream on: the receiver reads the exact bytes itself (with its size limit), whatever
 * parsers and `rawBody` option the app has. Other routes keep Nest's parsers.
 */
export function mountFastify(app: FastifyInstance, path: string, receiver: KlingReceiver): void {
  app.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    child.all(path, async (request, reply) => {
      const response = await receiver.handle({
        method: request.method,
        url: request.url,
        headers: request.headers,
        // The stream after any preParsing hook (e.g. decompression); absent when there was no body to parse.
        rawBody: isAsyncIterable(request.body) ? request.body : request.raw,
      });
      return reply.code(response.status).headers(response.headers).send(response.body);
    });
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
