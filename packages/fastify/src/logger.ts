import type { KlingLogger } from '@kling-webhooks/core';
import type { FastifyBaseLogger } from 'fastify';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * A KlingLogger writing to a Fastify (pino-style: context first, then the message) logger: the app's `app.log` for
 * the receiver itself (poll results), and each request's `request.log`, handed to the receiver with the request, for
 * that request's lines. A class: one small object per request, no closures.
 */
export class FastifyKlingLogger implements KlingLogger {
  constructor(private readonly log: FastifyBaseLogger) {}

  debug(message: string, context?: Record<string, unknown>): void {
    this.write('debug', message, context);
  }

  info(message: string, context?: Record<string, unknown>): void {
    this.write('info', message, context);
  }

  warn(message: string, context?: Record<string, unknown>): void {
    this.write('warn', message, context);
  }

  error(message: string, context?: Record<string, unknown>): void {
    this.write('error', message, context);
  }

  private write(level: Level, message: string, context: Record<string, unknown> | undefined): void {
    if (context === undefined) this.log[level](message);
    else this.log[level](context, message);
  }
}
