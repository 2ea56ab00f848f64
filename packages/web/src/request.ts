import type { KlingRequest } from '@kling-webhooks/core';

const EMPTY = new Uint8Array(0);

/** The body's chunks as the receiver reads them: it stops at `maxBodyBytes` or `bodyTimeoutMs` and leaves the rest. */
async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
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
    rawBody: request.body === null ? EMPTY : chunksOf(request.body),
  };
}
