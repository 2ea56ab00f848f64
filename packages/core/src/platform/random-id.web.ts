/** A random v4 UUID from Web Crypto (Workers, edge runtimes, browsers, Deno, Bun). */
export function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}
