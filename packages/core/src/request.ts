import type { Context } from '@opentelemetry/api';
import type { KlingLogger } from './logger.js';

/** Request headers as Node gives them: lower-case or not, repeated headers as arrays. */
export type KlingHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The framework-neutral request an adapter hands to `receiver.handle`. */
export interface KlingRequest {
  /** HTTP method, any case. */
  method: string;
  /** Path with query string as received (`/webhooks/kling?token=...`); an absolute URL works too. */
  url: string;
  headers: KlingHeaders;
  /**
   * The exact bytes received. Either a buffer already read, or a stream (a Node `IncomingMessage` is one), which the
   * receiver reads only after the method and content type pass and stops reading at `maxBodyBytes`.
   */
  rawBody: Uint8Array | AsyncIterable<Uint8Array>;
  /**
   * Where this request's log lines go, instead of the receiver's logger: an adapter passes the framework's
   * per-request logger (Fastify's `request.log`). Handlers that outlive the answer (202) keep logging there.
   */
  logger?: KlingLogger;
  /**
   * Keeps the request's work alive after its answer, on runtimes that end it with the response (Workers'
   * `ctx.waitUntil`, Next.js's `after`, Vercel's `waitUntil`): handed the handlers' work when they outlast
   * `ackTimeoutMs` and the receiver answers 202. The promise never rejects.
   */
  waitUntil?: (work: Promise<unknown>) => void;
  /**
   * The OpenTelemetry context the request's `kling.webhook` span is a child of. Default: the active context when
   * `handle` is called (the HTTP server span of the framework's instrumentation). An adapter that reaches `handle`
   * outside the request's context (or a fetch-style handler that no instrumentation wraps) passes it here.
   */
  traceContext?: Context;
}

/** What the adapter writes back. `body` is a JSON string. */
export interface KlingResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}
