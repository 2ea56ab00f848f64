import type { KlingRequest } from '@kling-webhooks/core';

const EMPTY = new Uint8Array(0);

/**
 * The body's chunks as the receiver reads them: it stops at `maxBodyBytes` or `bodyTimeoutMs` and leaves the rest.
 * `request.body` is first touched when the receiver starts reading, so a request refused before (405, 415, a declared
 * length over the limit) leaves the runtime's own request untouched for the server to drain or drop: on Node,
 * `@hono/node-server` turns the body into a web stream on first access, and a stream nobody reads then holds up
 * the connection.
 */
async function* chunksOf(request: Request): AsyncGenerator<Uint8Array> {
  const { body } = request;
  if (body === null) return;
  // A reader, not `for await` over the stream: not every runtime makes web streams async-iterable.
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

/** The receiver's view of a fetch `Request`: headers as a record, the body as a stream it reads up to its limits. */
export function klingRequestOf(request: Request): KlingRequest {
  const headers: Record<string, string> = {};
  // Keys come lower-cased; repeated headers arrive joined with ", ", as Node joins them.
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    method: request.method,
    url: request.url,
    headers,
    // GET and HEAD carry no body: an empty one spares the 405 a `Connection: close`.
    rawBody:
      request.method === 'GET' || request.method === 'HEAD'
        ? EMPTY
        : { [Symbol.asyncIterator]: () => chunksOf(request) },
  };
}
