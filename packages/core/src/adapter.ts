/**
 * @kling-webhooks/core/adapter — for authors of adapters and stores, not for apps: the pieces the framework adapters,
 * the Redis store and the testing kit share with core (reading a body ahead of a framework's parsers, the body
 * deadline, the verification pipeline, JSON parsing with its shape bounds, the body schemas, store key naming).
 * Apps import `@kling-webhooks/core`. What is here may change in a minor release when an adapter needs it to.
 * @packageDocumentation
 */

export { klingStatusSchema } from './event.js';
export { takeArrivedBody } from './receiver/arrived-body.js';
export { KlingBodyTimeoutError, withBodyDeadline } from './receiver/body-deadline.js';
export type {
  KlingEnvelope,
  KlingEnvelopeInput,
  KlingListEnvelope,
  KlingListEnvelopeInput,
} from './schemas/envelope.js';
export { klingEnvelopeSchema, klingListEnvelopeSchema } from './schemas/envelope.js';
export type { KlingFlatBody, KlingFlatBodyInput } from './schemas/flat.js';
export { klingFlatBodySchema } from './schemas/flat.js';
export { parseJson } from './schemas/json.js';
export type { KlingLegacyBody, KlingLegacyBodyInput } from './schemas/legacy.js';
export { klingLegacyBodySchema, klingLegacyImageSchema, klingLegacyVideoSchema } from './schemas/legacy.js';
export type {
  KlingNewAudioOutput,
  KlingNewBody,
  KlingNewBodyInput,
  KlingNewImageOutput,
  KlingNewOutput,
  KlingNewVideoOutput,
} from './schemas/new.js';
export {
  klingNewAudioOutputSchema,
  klingNewBillingItemSchema,
  klingNewBodySchema,
  klingNewImageOutputSchema,
  klingNewOtherOutputSchema,
  klingNewOutputSchema,
  klingNewVideoOutputSchema,
} from './schemas/new.js';
export type { KlingRelayBody, KlingRelayBodyInput, KlingRelayEvent } from './schemas/relay.js';
export { klingRelayBodySchema, klingRelayEventSchema } from './schemas/relay.js';
export { encodeKeyPart, storeKeys } from './store/keys.js';
export type { KlingTraceCarrier } from './telemetry/carrier.js';
export { traceCarrier, traceContextFromHeaders, withTraceCarrier } from './telemetry/carrier.js';
export { bindingMismatch, createVerification } from './verify/compose.js';
