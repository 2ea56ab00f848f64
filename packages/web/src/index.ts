/**
 * @kling-webhooks/web — a fetch-style handler for Kling AI task callbacks: Next.js route handlers, Hono, Bun, Deno,
 * Cloudflare Workers.
 * @packageDocumentation
 */
export { type KlingFetchHandler, klingWebhooks } from './handler.js';
export type { KlingWaitUntil, KlingWebContext, KlingWebHandlerOptions, KlingWebOptions } from './options.js';
