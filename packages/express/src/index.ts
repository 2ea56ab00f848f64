/**
 * @kling-webhooks/express — Express 5 middleware for Kling AI task callbacks.
 * @packageDocumentation
 */
export { type KlingExpressMiddleware, klingWebhooks, mountKlingWebhooksFirst } from './middleware.js';
export type { KlingExpressOptions } from './options.js';
