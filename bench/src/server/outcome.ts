/**
 * What a hand-written route decided about one request: a fresh event (its handler was called), a duplicate (answered
 * without a handler call), a body that is not a callback, or a request whose signature does not verify.
 */
export type Outcome = 'accepted' | 'duplicate' | 'invalid' | 'unauthorized';

/** The status each outcome is answered with. */
export const STATUS: Readonly<Record<Outcome, 200 | 400 | 401>> = {
  accepted: 200,
  duplicate: 200,
  invalid: 400,
  unauthorized: 401,
};

/** The JSON body each outcome is answered with (made once: the routes send these strings as they are). */
export const BODY: Readonly<Record<Outcome, string>> = {
  accepted: '{"ok":true}',
  duplicate: '{"ok":true,"duplicate":true}',
  invalid: '{"error":"invalid_body"}',
  unauthorized: '{"error":"invalid_signature"}',
};

/** Headers of every answer. */
export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;
