/**
 * @kling-webhooks/testing — try Kling callbacks without a Kling account: realistic bodies of every shape, requests
 * signed the way Kling signs them, a mock Kling API that creates tasks and calls back (unreliably on demand), and the
 * `kling-webhooks` CLI.
 * @packageDocumentation
 */
export type {
  ApiEnvelope,
  BuildCallbackOptions,
  CallbackBody,
  CallbackBodyOf,
  CallbackDialect,
  CallbackStatus,
  ImageResult,
  LegacyCallbackBody,
  NewCallbackBody,
  RelayCallbackBody,
  VideoResult,
} from './builders.js';
export { buildCallback, callbackBody, envelope } from './builders.js';
export type { CheckReceiverOptions, CheckReport, CheckResult } from './check.js';
export { checkReceiver } from './check.js';
export { randomId, randomTaskId, randomWebhookSecret } from './ids.js';
export * from './mock-kling/index.js';
export type { CallbackAnswer, SendCallbackOptions, SignedRequest, SignedRequestOptions } from './sign.js';
export { sendCallback, signedRequest } from './sign.js';
