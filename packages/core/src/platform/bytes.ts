/** Byte helpers the receiver needs, on Node's `Buffer` (the web build has `bytes.web.ts`). */

/** The bytes of `chunks`, `total` long, in one piece. */
export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  return Buffer.concat(chunks, total);
}

/** Length of `text` in UTF-8 bytes. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text);
}
