import { headerValue } from '../headers.js';
import { concatBytes } from '../platform/bytes.js';
import type { KlingHeaders } from '../request.js';
import { takeArrivedBody } from './arrived-body.js';
import { KlingBodyTimeoutError, withBodyDeadline } from './body-deadline.js';

/** What reading a request body gave. */
export type ReadBodyResult =
  | { ok: true; body: Uint8Array }
  /** Over the limit. `unread` is true when a stream was left before its end (the connection should be closed). */
  | { ok: false; reason: 'too-large'; unread: boolean }
  /** The stream did not end within the time allowed; it was left unread. */
  | { ok: false; reason: 'timeout'; unread: true };

const TOO_LARGE_READ: ReadBodyResult = { ok: false, reason: 'too-large', unread: false };
const TOO_LARGE_UNREAD: ReadBodyResult = { ok: false, reason: 'too-large', unread: true };
const TIMED_OUT: ReadBodyResult = { ok: false, reason: 'timeout', unread: true };
const EMPTY = new Uint8Array(0);

/**
 * Reads a request body up to `maxBytes`, within `timeoutMs`. A `content-length` over the limit is refused before
 * anything is read, and a stream is abandoned as soon as it passes the limit or its time: a sender can neither make
 * the receiver buffer more than `maxBytes` nor hold it longer than `timeoutMs` by sending slowly.
 */
export async function readBody(
  rawBody: Uint8Array | AsyncIterable<Uint8Array>,
  headers: KlingHeaders,
  maxBytes: number,
  timeoutMs: number,
): Promise<ReadBodyResult> {
  const isBuffer = rawBody instanceof Uint8Array;
  const declared = headerValue(headers, 'content-length');
  if (declared !== undefined && Number(declared) > maxBytes) return isBuffer ? TOO_LARGE_READ : TOO_LARGE_UNREAD;
  if (isBuffer) return rawBody.byteLength > maxBytes ? TOO_LARGE_READ : { ok: true, body: rawBody };
  const arrived = await takeArrivedBody(rawBody, maxBytes);
  if (arrived !== undefined) return { ok: true, body: arrived };

  // The iterator is driven by hand and never `return()`ed: leaving a `for await` early destroys a Node request,
  // and with it the socket the 413 still has to be written to.
  const iterator = withBodyDeadline(rawBody, timeoutMs);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await iterator.next();
    } catch (error) {
      // A stream an adapter wrapped with its own deadline times out the same way.
      if (error instanceof KlingBodyTimeoutError) return TIMED_OUT;
      throw error;
    }
    if (next.done === true) break;
    const chunk: unknown = next.value;
    // A string chunk (the request had setEncoding called on it) has no byteLength: it would slip past the limit, and
    // its bytes are no longer the ones signed.
    if (!(chunk instanceof Uint8Array)) throw new TypeError('request body chunks must be bytes, not decoded text');
    total += chunk.byteLength;
    if (total > maxBytes) return TOO_LARGE_UNREAD;
    chunks.push(chunk);
  }
  if (chunks.length === 1) return { ok: true, body: chunks[0] as Uint8Array };
  return { ok: true, body: chunks.length === 0 ? EMPTY : concatBytes(chunks, total) };
}
