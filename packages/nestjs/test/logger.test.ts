import { Injectable, type LoggerService, Module, Scope } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { KLING_LOGGER_CONTEXT, KlingModule, OnKlingFailed } from '../src/index.js';
import { startNest } from './nest-app.js';

/** Collects what Nest's logger is given, as `[level, message, context]`. */
class CapturingLogger implements LoggerService {
  readonly lines: [string, string, unknown][] = [];
  log = (message: string, context?: unknown) => this.lines.push(['log', message, context]);
  warn = (message: string, context?: unknown) => this.lines.push(['warn', message, context]);
  error = (message: string, context?: unknown) => this.lines.push(['error', message, context]);
  debug = (message: string, context?: unknown) => this.lines.push(['debug', message, context]);
}

@Injectable({ scope: Scope.TRANSIENT })
class TransientHandlers {
  @OnKlingFailed()
  failed(): void {}
}

describe('default logger', () => {
  it("writes through the app's Nest logger with the KlingWebhooks context", async () => {
    @Module({
      imports: [KlingModule.forRoot({ path: '/webhooks/kling', verify: 'none' })],
      providers: [TransientHandlers],
    })
    class AppModule {}
    const logger = new CapturingLogger();
    const app = await startNest(AppModule, 'fastify', { logger });
    await app.close();
    const warning = logger.lines.find(([level, message]) => level === 'warn' && message.includes('TransientHandlers'));
    expect(warning?.[2]).toBe(KLING_LOGGER_CONTEXT);
  });
});
