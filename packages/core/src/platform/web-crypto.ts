// Web Crypto helpers of the web build's verifiers (verify/*.web.ts). No Buffer, no node:*; they also run on Node,
// where the differential tests compare them with the node:crypto verifiers.

import type { webcrypto } from 'node:crypto';

/** Web Crypto's key type (named through Node's types, which this package compiles against; erased in the build). */
export type CryptoKey = webcrypto.CryptoKey;

const encoder = new TextEncoder();

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/** The bytes of a base64 text. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Canonical base64 of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary);
}

/** The bytes of 64 hex digits (the caller checked the format). */
export function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** An HMAC-SHA256 key for signing and verifying. */
export function importHmacKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/** `body` as bytes Web Crypto's types take: a view over an `ArrayBuffer` (a shared one is copied). */
export function bytesOf(body: Uint8Array | string): Uint8Array<ArrayBuffer> {
  if (typeof body === 'string') return utf8(body);
  return body.buffer instanceof ArrayBuffer ? (body as Uint8Array<ArrayBuffer>) : new Uint8Array(body);
}
