/**
 * @kling-webhooks/express — Express 5 middleware for Kling AI task callbacks.
 * @packageDocumentation
 */
export { type KlingExpressMiddleware, klingWebhooks } from './middleware.js';
export type { KlingExpressOptions } from './options.js';
