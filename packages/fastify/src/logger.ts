import { AsyncLocalStorage } from 'node:async_hooks';
import type { KlingLogger } from '@kling-webhooks/core';
import type { FastifyBaseLogger } from 'fastify';

/** The `request.log` of the request being handled; handlers that outlive the answer (202) keep theirs. */
const requestLog = new AsyncLocalStorage<FastifyBaseLogger>();

/** Runs `fn` with `log` as the logger the receiver writes to. */
export function withRequestLog<T>(log: FastifyBaseLogger, fn: () => T): T {
  return requestLog.run(log, fn);
}

/**
 * A KlingLogger writing to the current request's `request.log` (pino-style: context first, then the message), or to
 * `fallback` (the app's logger) outside a request, e.g. for poll results.
 */
export function fastifyLogger(fallback: FastifyBaseLogger): KlingLogger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, context?: Record<string, unknown>): void => {
      const log = requestLog.getStore() ?? fallback;
      if (context === undefined) log[level](message);
      else log[level](context, message);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
