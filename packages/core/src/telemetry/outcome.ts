import type { KlingResponse } from '../request.js';
import type { CallbackOutcome } from './names.js';

/** An outcome and, for a refusal, why (`kling.webhook.refusal_reason`). */
export interface ClassifiedResponse {
  readonly outcome: CallbackOutcome;
  readonly reason?: string;
}

const of = (outcome: CallbackOutcome, reason?: string): ClassifiedResponse =>
  Object.freeze(reason === undefined ? { outcome } : { outcome, reason });

const PROCESSED = of('processed');
/** A queued hand-off's 200 (the body says `"queued"`): the handlers run later, in a worker. */
const QUEUED = of('queued');
const DUPLICATE = of('duplicate');
const OUT_OF_ORDER = of('out_of_order');
const ACCEPTED = of('accepted');
const IN_FLIGHT = of('in_flight');
const HANDLER_FAILED = of('handler_failed');
const INTERNAL = of('internal_error');
const TOO_LARGE = of('too_large');
const STORE = of('store_unavailable');
const QUEUE = of('queue_unavailable');
const NOT_PAIRED = of('not_paired');
const REFUSED: Readonly<Record<number, ClassifiedResponse>> = {
  400: of('refused', 'invalid_body'),
  401: of('refused', 'unauthorized'),
  405: of('refused', 'method_not_allowed'),
  408: of('refused', 'body_timeout'),
  415: of('refused', 'unsupported_media_type'),
};
const OTHER = of('refused', 'other');

/**
 * What an answer of the pipeline means. Read from the answer itself (each has its own status and fixed body), so
 * the pipeline needs no bookkeeping per return point to be measured.
 */
export function classify(response: KlingResponse): ClassifiedResponse {
  const { status, body } = response;
  switch (status) {
    case 200:
      if (body.includes('"duplicate"')) return DUPLICATE;
      if (body.includes('"ignored"')) return OUT_OF_ORDER;
      if (body.includes('"queued"')) return QUEUED;
      return PROCESSED;
    case 202:
      return ACCEPTED;
    case 409:
      return IN_FLIGHT;
    case 413:
      return TOO_LARGE;
    case 500:
      return body.includes('handler_failed') ? HANDLER_FAILED : INTERNAL;
    case 503:
      if (body.includes('task_not_paired')) return NOT_PAIRED;
      return body.includes('queue_unavailable') ? QUEUE : STORE;
    default:
      return REFUSED[status] ?? OTHER;
  }
}
