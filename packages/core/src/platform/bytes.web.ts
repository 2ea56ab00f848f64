/** Byte helpers the receiver needs, without `Buffer`. */

const encoder = new TextEncoder();

/** The bytes of `chunks`, `total` long, in one piece. */
export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Length of `text` in UTF-8 bytes. */
export function utf8Length(text: string): number {
  return encoder.encode(text).byteLength;
}
