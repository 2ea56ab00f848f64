import type { IncomingMessage } from 'node:http';
import { takeArrivedBody, withBodyDeadline } from '@kling-webhooks/core/adapter';

/**
 * Resolves when `req` ends, rejects if it fails first. Two plain listeners: `events.once` also wires up AbortSignal
 * support, which cost ~3 µs per callback in a CPU profile of the Express bench route.
 */
function ended(req: IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEnd = (): void => {
      req.off('error', onError);
      resolve();
    };
    const onError = (error: Error): void => {
      req.off('end', onEnd);
      reject(error);
    };
    req.once('end', onEnd);
    req.once('error', onError);
  });
}

/** Bodies read by the capture layer, kept until the middleware hands them to the receiver. */
const captured = new WeakMap<IncomingMessage, Uint8Array>();

async function* prefixed(head: readonly Buffer[], rest: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* head;
  yield* rest;
}

async function* failing(head: readonly Buffer[], error: unknown): AsyncIterable<Uint8Array> {
  yield* head;
  throw error;
}

/**
 * Reads the body before any body parser can (body-parser then sees a finished stream and skips it), within the
 * receiver's `bodyTimeoutMs`. A body of at most `limit` bytes is kept for {@link rawBodyOf} and `undefined` returned.
 * A `content-length` over `limit` returns the request itself, unread, for the receiver's 413. A larger body is not read further: the bytes read so far followed by the rest of the stream (still under the same
 * deadline) are returned, for the receiver to refuse with its own 413. A slower one, or one whose sender went away,
 * comes back as the bytes read and then the error, for the receiver's 408 or 400.
 */
export async function captureRawBody(
  req: IncomingMessage,
  limit: number,
  timeoutMs: number,
): Promise<AsyncIterable<Uint8Array> | undefined> {
  // A declared length over the limit is refused before a byte is read or waited for: the stream goes to the receiver
  // untouched, and it answers 413 from the header (as it does in every adapter).
  if (Number(req.headers['content-length']) > limit) return req;
  // Usually the body came with the headers: taken in one piece, no iterator, no deadline timer (all of it is here).
  const arrived = await takeArrivedBody(req, limit);
  if (arrived !== undefined) {
    // Body parsers mounted after this layer skip a request only once it has ended (nothing is left to read: resume()
    // only lets the end come).
    if (!req.readableEnded) {
      try {
        req.resume();
        await ended(req);
      } catch (error) {
        return failing([], error);
      }
    }
    captured.set(req, arrived);
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // destroyOnReturn: false keeps the socket open when we stop early, so the 413 or 408 can still be written.
  const body = withBodyDeadline(req.iterator({ destroyOnReturn: false }), timeoutMs);
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await body.next();
    } catch (error) {
      // A timeout or a sender gone mid-body is the receiver's to answer (408 / 400) and to log, rate-limited: handed to
      // next(), Express would print every such error's stack, one per request an attacker cares to abort.
      return failing(chunks, error);
    }
    if (next.done === true) break;
    const buffer = next.value as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size > limit) return prefixed(chunks, body);
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
