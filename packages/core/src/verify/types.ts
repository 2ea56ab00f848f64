import type { KlingRequest } from '../request.js';

/** A request whose body has been read: what verifiers see. */
export interface KlingVerifiableRequest extends Omit<KlingRequest, 'rawBody'> {
  rawBody: Uint8Array;
}

/**
 * What a verifier decided. A pass may bind the request to one task: the receiver checks these against the parsed
 * body and answers 401 when they differ (a callback token issued for task A cannot deliver task B).
 */
export type VerifyOutcome =
  | {
      ok: true;
      verifier: string;
      expect?: { taskId?: string; externalTaskId?: string };
      /**
       * Which of the verifier's secrets matched (0: the first, the current one), for rotation metrics and warnings.
       * Never the secret itself.
       */
      secretIndex?: number;
    }
  | { ok: false; verifier: string; reason: string };

/**
 * A verifier made by `klingSignature`, `callbackToken` or `hmacSignature`. `reason` in a failed outcome is for logs
 * and never holds a secret, token or signature.
 */
export interface KlingVerifier {
  /** Short name for logs, e.g. `kling-signature`. */
  readonly name: string;
  verify(request: KlingVerifiableRequest): VerifyOutcome | Promise<VerifyOutcome>;
}

/** A custom verifier: return `true` to accept the request. */
export type KlingVerifyFunction = (request: KlingVerifiableRequest) => boolean | Promise<boolean>;

/**
 * The receiver's `verify` option: one verifier, a function, or a list meaning "any of". `'none'` turns verification
 * off and must be written out: leaving `verify` unset is a start-up error.
 */
export type KlingVerifyOption =
  | KlingVerifier
  | KlingVerifyFunction
  | ReadonlyArray<KlingVerifier | KlingVerifyFunction>
  | 'none';
