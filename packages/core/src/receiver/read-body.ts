import { headerValue } from '../headers.js';
import type { KlingHeaders } from '../request.js';

/** What reading a request body gave. */
export type ReadBodyResult =
  | { ok: true; body: Uint8Array }
  /** Over the limit. `unread` is true when a stream was left before its end (the connection should be closed). */
  | { ok: false; unread: boolean };

const TOO_LARGE_READ: ReadBodyResult = { ok: false, unread: false };
const TOO_LARGE_UNREAD: ReadBodyResult = { ok: false, unread: true };
const EMPTY = new Uint8Array(0);

/**
 * Reads a request body up to `maxBytes`. A `content-length` over the limit is refused before anything is read, and
 * a stream is abandoned as soon as it passes the limit: a sender cannot make the receiver buffer more than
 * `maxBytes`.
 */
export async function readBody(
  rawBody: Uint8Array | AsyncIterable<Uint8Array>,
  headers: KlingHeaders,
  maxBytes: number,
): Promise<ReadBodyResult> {
  const isBuffer = rawBody instanceof Uint8Array;
  const declared = headerValue(headers, 'content-length');
  if (declared !== undefined && Number(declared) > maxBytes) return isBuffer ? TOO_LARGE_READ : TOO_LARGE_UNREAD;
  if (isBuffer) return rawBody.byteLength > maxBytes ? TOO_LARGE_READ : { ok: true, body: rawBody };

  // The iterator is driven by hand and never `return()`ed: leaving a `for await` early destroys a Node request,
  // and with it the socket the 413 still has to be written to.
  const iterator = rawBody[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) break;
    const chunk = next.value;
    total += chunk.byteLength;
    if (total > maxBytes) return TOO_LARGE_UNREAD;
    chunks.push(chunk);
  }
  if (chunks.length === 1) return { ok: true, body: chunks[0] as Uint8Array };
  return { ok: true, body: chunks.length === 0 ? EMPTY : Buffer.concat(chunks, total) };
}
