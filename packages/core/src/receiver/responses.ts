import type { KlingResponse } from '../request.js';

const JSON_TYPE = 'application/json; charset=utf-8';

// Fixed bodies are serialized once; only the headers object is fresh per response, since adapters may add to it.
const OK = '{"ok":true}';
const DUPLICATE = '{"ok":true,"duplicate":true}';
const OUT_OF_ORDER = '{"ok":true,"ignored":"out-of-order"}';
const ACCEPTED = '{"ok":true,"accepted":true}';
const QUEUED = '{"ok":true,"queued":true}';
const METHOD_NOT_ALLOWED = '{"error":"method_not_allowed"}';
const UNSUPPORTED_MEDIA_TYPE = '{"error":"unsupported_media_type"}';
const PAYLOAD_TOO_LARGE = '{"error":"payload_too_large"}';
const REQUEST_TIMEOUT = '{"error":"request_timeout"}';
const UNAUTHORIZED = '{"error":"unauthorized"}';
const IN_FLIGHT = '{"error":"in_flight"}';
const HANDLER_FAILED = '{"error":"handler_failed"}';
const STORE_UNAVAILABLE = '{"error":"store_unavailable"}';
const TASK_NOT_PAIRED = '{"error":"task_not_paired"}';
const QUEUE_UNAVAILABLE = '{"error":"queue_unavailable"}';
const INTERNAL_ERROR = '{"error":"internal_error"}';

function json(status: number, body: string): KlingResponse {
  return { status, headers: { 'content-type': JSON_TYPE }, body };
}

/** Adds `Connection: close` when a request body was left unread, so the server does not drain it for keep-alive. */
function closing(response: KlingResponse, close: boolean): KlingResponse {
  if (close) response.headers.connection = 'close';
  return response;
}

function retryLater(status: number, body: string, retryAfterSec: number): KlingResponse {
  const response = json(status, body);
  response.headers['retry-after'] = String(retryAfterSec);
  return response;
}

/** 200: the event was processed now. */
export const okResponse = (): KlingResponse => json(200, OK);
/** 200: the event was processed before. */
export const duplicateResponse = (): KlingResponse => json(200, DUPLICATE);
/** 200: the task has ended (or its terminal state is being handled): acknowledged, not dispatched. */
export const outOfOrderResponse = (): KlingResponse => json(200, OUT_OF_ORDER);
/** 202: the ack budget ran out; handlers go on after the answer. */
export const acceptedResponse = (): KlingResponse => json(202, ACCEPTED);
/** 200: the event is stored in the receiver's queue; a worker runs its handlers. */
export const queuedResponse = (): KlingResponse => json(200, QUEUED);
/** 503: the queue could not store the event; the claim was released and nothing was accepted. */
export const queueUnavailableResponse = (retryAfterSec: number): KlingResponse =>
  retryLater(503, QUEUE_UNAVAILABLE, retryAfterSec);
/** 405 with `Allow: POST`. */
export function methodNotAllowedResponse(close: boolean): KlingResponse {
  const response = json(405, METHOD_NOT_ALLOWED);
  response.headers.allow = 'POST';
  return closing(response, close);
}
/** 415: the body is not JSON. */
export const unsupportedMediaTypeResponse = (close: boolean): KlingResponse =>
  closing(json(415, UNSUPPORTED_MEDIA_TYPE), close);
/** 413: the body is over `maxBodyBytes`. */
export const payloadTooLargeResponse = (close: boolean): KlingResponse => closing(json(413, PAYLOAD_TOO_LARGE), close);
/** 408 with `Connection: close`: the body did not arrive within `bodyTimeoutMs`; the rest is not waited for. */
export const requestTimeoutResponse = (): KlingResponse => closing(json(408, REQUEST_TIMEOUT), true);
/** 401: verification failed or the verified request is bound to another task. The reason goes to the log only. */
export const unauthorizedResponse = (): KlingResponse => json(401, UNAUTHORIZED);
/** 400 with the path of the bad field (dot-separated, empty for the body itself) and what is wrong with it. */
export const invalidBodyResponse = (path: string, message: string): KlingResponse =>
  json(400, JSON.stringify({ error: 'invalid_body', path, message }));
/** 409: another delivery of the same event is being processed; retry after `retryAfterSec`. */
export const inFlightResponse = (retryAfterSec: number): KlingResponse => retryLater(409, IN_FLIGHT, retryAfterSec);
/** 500: a handler failed; the lease was released so a redelivery processes the event. */
export const handlerFailedResponse = (): KlingResponse => json(500, HANDLER_FAILED);
/** 503: the store could not answer; nothing was processed. */
export const storeUnavailableResponse = (retryAfterSec: number): KlingResponse =>
  retryLater(503, STORE_UNAVAILABLE, retryAfterSec);
/**
 * 503: a callback token names an external task id whose Kling task id is not known yet; nothing was processed. The
 * sender retries (by then the client has recorded the task, or the reconciler recovers it by polling).
 */
export const taskNotPairedResponse = (retryAfterSec: number): KlingResponse =>
  retryLater(503, TASK_NOT_PAIRED, retryAfterSec);
/** 500: an unexpected failure inside the receiver. */
export const internalErrorResponse = (): KlingResponse => json(500, INTERNAL_ERROR);
