import type { IncomingMessage } from 'node:http';

/** Bodies read by the capture layer, kept until the middleware hands them to the receiver. */
const captured = new WeakMap<IncomingMessage, Uint8Array>();

async function* prefixed(head: readonly Buffer[], rest: IncomingMessage): AsyncIterable<Uint8Array> {
  yield* head;
  yield* rest;
}

/**
 * Reads the body before any body parser can (body-parser then sees a finished stream and skips it). A body of at most
 * `limit` bytes is kept for {@link rawBodyOf} and `undefined` returned; a larger one is not read further: the bytes
 * read so far followed by the rest of the stream are returned, for the receiver to refuse with its own 413.
 */
export async function captureRawBody(
  req: IncomingMessage,
  limit: number,
): Promise<AsyncIterable<Uint8Array> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  // destroyOnReturn: false keeps the socket open when we stop early, so the 413 can still be written.
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size > limit) return prefixed(chunks, req);
  }
  captured.set(req, Buffer.concat(chunks, size));
  return undefined;
}

/** Whether the capture layer has read this request's body already. */
export function isCaptured(req: IncomingMessage): boolean {
  return captured.has(req);
}

/**
 * The exact bytes of the request, from wherever they still are: read by the capture layer, still unread in the
 * stream, or kept as a Buffer by `express.raw()` (`req.body`) or by a `rawBody` option (`req.rawBody`, as Nest and
 * body-parser `verify` hooks set it). `undefined` when another parser consumed the stream and kept only its parse.
 */
export function rawBodyOf(
  req: IncomingMessage & { body?: unknown; rawBody?: unknown },
): Uint8Array | AsyncIterable<Uint8Array> | undefined {
  const bytes = captured.get(req);
  if (bytes !== undefined) return bytes;
  if (!req.readableDidRead && !req.readableEnded) return req;
  if (Buffer.isBuffer(req.body)) return req.body;
  if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
  return undefined;
}
