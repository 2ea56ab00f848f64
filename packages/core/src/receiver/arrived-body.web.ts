/**
 * Web build: there is no Node request to take a buffered body from. `undefined`: the receiver reads the stream (a web
 * adapter hands over `request.body`).
 */
export async function takeArrivedBody(_stream: unknown, _maxBytes: number): Promise<Uint8Array | undefined> {
  return undefined;
}
