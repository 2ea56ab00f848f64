import { KlingConfigError } from '../errors.js';
import type { VerifyOutcome } from './types.js';

// The `sha256=<hex>` scheme apart from the HMAC: shared by hmac.ts (node:crypto) and hmac.web.ts (Web Crypto).

/** Options of {@link hmacSignature}. */
export interface HmacSignatureOptions {
  /** The shared secret, or several during a rotation: a signature made with any of them passes. */
  secrets: string | readonly string[];
  /** Header carrying `sha256=<hex>`, any case. Default `x-kling-signature`. */
  header?: string;
}

export const NAME = 'hmac-signature';
export const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;
const PASSES: VerifyOutcome[] = [];
/** What a pass with the secret at `secretIndex` answers: one frozen object per index, made once. */
export function passed(secretIndex: number): VerifyOutcome {
  PASSES[secretIndex] ??= Object.freeze({ ok: true, verifier: NAME, secretIndex });
  return PASSES[secretIndex] as VerifyOutcome;
}
export const NO_MATCH: VerifyOutcome = { ok: false, verifier: NAME, reason: 'no signature matched' };

/** The header name to read, lower case, checked. */
export function headerOf(options: HmacSignatureOptions): string {
  const header = (options.header ?? 'x-kling-signature').toLowerCase();
  if (header.length === 0) throw new KlingConfigError('hmacSignature: header must be a non-empty header name');
  return header;
}

export function missing(header: string): VerifyOutcome {
  return { ok: false, verifier: NAME, reason: `missing ${header} header` };
}

export function malformed(header: string): VerifyOutcome {
  return { ok: false, verifier: NAME, reason: `${header} is not sha256=<64 hex digits>` };
}
