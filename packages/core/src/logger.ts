/**
 * What the receiver logs through: `console`, a pino logger and Nest's `Logger` all fit. Each method gets a message
 * and, where useful, a small object of context (never secrets).
 */
export interface KlingLogger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

const noop = (): void => {};

/** A logger that drops everything. */
export const silentLogger: KlingLogger = { debug: noop, info: noop, warn: noop, error: noop };

/** Writes info, warn and error lines to `console` with a prefix; debug lines are dropped. */
export function consoleLogger(prefix = '[kling-webhooks]'): KlingLogger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, context?: Record<string, unknown>): void => {
      if (context === undefined) console[level](`${prefix} ${message}`);
      else console[level](`${prefix} ${message}`, context);
    };
  return { debug: noop, info: write('info'), warn: write('warn'), error: write('error') };
}
