import { IncomingMessage } from 'node:http';

const EMPTY = new Uint8Array(0);
const nextMicrotask = Promise.resolve();

/**
 * The body of a Node request that has arrived in full and that nobody has started reading, taken from its buffer in
 * one piece: no iterator, no deadline timer (nothing is left to wait for). All of it is there when the parser says the
 * message is complete, or when the buffer holds the `content-length` announced (the parser never pushes more).
 */
function arrived(stream: unknown, maxBytes: number): Uint8Array | undefined {
  // Only a request straight from the parser: after a transform (decompression) `content-length` counts other bytes.
  if (!(stream instanceof IncomingMessage) || stream.readableDidRead || stream.readableFlowing === true) return;
  if (stream.readableEncoding !== null || stream.readableObjectMode) return;
  const length = stream.readableLength;
  if (length > maxBytes) return;
  if (!stream.complete && length !== Number(stream.headers['content-length'])) return;
  // Without a size, read() returns everything buffered as one Buffer; null when the body was empty.
  const body: unknown = stream.read();
  if (body === null) return EMPTY;
  if (!(body instanceof Uint8Array)) throw new TypeError('request body chunks must be bytes, not decoded text');
  return body;
}

/**
 * Takes the whole body of a Node request (`IncomingMessage`) that nobody has read yet, when it is at most `maxBytes`
 * and has arrived: a callback's body usually comes in the same packet as its headers, and adapters are handed the
 * request as soon as the headers are parsed, so it is looked for now and once more after a microtask (by then the
 * parser has pushed what came with them). `undefined` otherwise, and for a request decoded to text with
 * `setEncoding`: read the stream as usual.
 */
export async function takeArrivedBody(stream: unknown, maxBytes: number): Promise<Uint8Array | undefined> {
  const now = arrived(stream, maxBytes);
  if (now !== undefined || !(stream instanceof IncomingMessage)) return now;
  await nextMicrotask;
  return arrived(stream, maxBytes);
}
