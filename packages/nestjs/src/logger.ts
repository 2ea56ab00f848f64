import type { KlingLogger } from '@kling-webhooks/core';
import { Logger, type LoggerService } from '@nestjs/common';

/** Logger context of every line this module writes by default. */
export const KLING_LOGGER_CONTEXT = 'KlingWebhooks';

/** Adapts a Nest logger to `KlingLogger`; the context object goes on the same line, as JSON. */
export function nestKlingLogger(logger: LoggerService = new Logger(KLING_LOGGER_CONTEXT)): KlingLogger {
  const line = (message: string, context?: Record<string, unknown>): string =>
    context === undefined ? message : `${message} ${JSON.stringify(context)}`;
  return {
    debug: (message, context) => logger.debug?.(line(message, context)),
    info: (message, context) => logger.log(line(message, context)),
    warn: (message, context) => logger.warn(line(message, context)),
    error: (message, context) => logger.error(line(message, context)),
  };
}
