/**
 * @kling-webhooks/fastify — Fastify 5 plugin for Kling AI task callbacks.
 * @packageDocumentation
 */
export type { KlingFastifyOptions } from './options.js';
export { klingWebhooks } from './plugin.js';
