/**
 * @kling-webhooks/core — receive Kling AI task callbacks safely and exactly once.
 *
 * Each section below is owned by one module; add exports to your own section only.
 * @packageDocumentation
 */

// --- client + reconciler ---
export type { KlingAuth } from './client/auth.js';
export { KlingClient } from './client/client.js';
export type { KlingApiErrorCategory } from './client/errors.js';
export { KlingApiError, KlingHttpError, KlingTaskNotFoundError, KlingTimeoutError } from './client/errors.js';
export type { KlingApiDialect } from './client/products.js';
export type {
  KlingCallbackOptions,
  KlingClientOptions,
  KlingCreatedTask,
  KlingGetTasksOptions,
  KlingInvalidTask,
  KlingNoPromises,
  KlingTaskBody,
} from './client/types.js';
// --- contracts ---
export { KlingConfigError, KlingHandlerError, KlingQueueError, KlingStoreError, KlingWebhookError } from './errors.js';
export type {
  KlingAudio,
  KlingBilling,
  KlingBillingItem,
  KlingCanonicalStatus,
  KlingDialect,
  KlingEventBase,
  KlingEventOf,
  KlingEventStatus,
  KlingFailedEvent,
  KlingImage,
  KlingOutput,
  KlingProcessingEvent,
  KlingStatus,
  KlingStatusAlias,
  KlingSubmittedEvent,
  KlingSucceededEvent,
  KlingTaskEvent,
  KlingTaskFields,
  KlingUnknownEvent,
  KlingVideo,
} from './event.js';
export { isTerminalStatus } from './event.js';
export type { KlingLogger } from './logger.js';
export { consoleLogger, silentLogger } from './logger.js';
// --- schemas + normalize ---
export type { KlingNormalizeContext } from './normalize.js';
export { normalize, normalizeMany } from './normalize.js';
// --- receiver ---
export type { KlingEventQueue, KlingQueuedEvent } from './queue/types.js';
export { createKlingReceiver } from './receiver/create.js';
export type {
  KlingErrorHandler,
  KlingHandler,
  KlingHandlerEvent,
  KlingHandlerStatus,
  KlingProcessOutcome,
  KlingReceiver,
  KlingReceiverOptions,
} from './receiver/types.js';
export { createReconciler } from './reconciler/reconciler.js';
export type { KlingReconcileReport, KlingReconciler, ReconcilerOptions } from './reconciler/types.js';
export type { KlingHeaders, KlingRequest, KlingResponse } from './request.js';
export { KlingValidationError } from './schemas/validation-error.js';
export { klingIdempotencyKey } from './store/event-ref.js';
// --- store ---
export type { MemoryStoreOptions } from './store/memory.js';
export { memoryStore } from './store/memory.js';
export type {
  KlingClaimOptions,
  KlingClaimResult,
  KlingCompleteOptions,
  KlingDedupeStore,
  KlingEventRef,
  KlingPendingTask,
  KlingPendingTasks,
  KlingStore,
  KlingTaskPairings,
} from './store/types.js';
// --- verify ---
export type { CallbackTokenOptions } from './verify/callback-token.js';
export { callbackToken } from './verify/callback-token.js';
export type { HmacSignatureOptions } from './verify/hmac.js';
export { hmacSignature, signBody } from './verify/hmac.js';
export type { KlingSignatureOptions, KlingWebhookHeaders, SignKlingWebhookInput } from './verify/kling-signature.js';
export { klingSignature, signKlingWebhook } from './verify/kling-signature.js';
export type { SignCallbackUrlOptions } from './verify/sign-callback-url.js';
export { signCallbackUrl } from './verify/sign-callback-url.js';
export type {
  KlingVerifiableRequest,
  KlingVerifier,
  KlingVerifyFunction,
  KlingVerifyOption,
  VerifyOutcome,
} from './verify/types.js';
