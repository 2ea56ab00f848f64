import type { KlingLogger } from '../logger.js';

/** Options of `LogLimiter`. */
export interface LogLimiterOptions {
  /** Lines written per kind per window; more are counted and summarized. Default 10. */
  perWindow?: number;
  /** Window length. Default 60 s. */
  windowMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

interface Window {
  start: number;
  written: number;
  suppressed: number;
}

/**
 * Rate-limits log lines per kind (`unauthorized`, `invalid-body`, ...), so a flood of bad requests cannot flood the
 * log: at most `perWindow` lines per kind per window, then one "suppressed K" line when the next window opens.
 * Kinds are a fixed set chosen by the receiver, never request data, so the table stays small.
 */
export class LogLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly perWindow: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(
    private readonly logger: KlingLogger,
    options: LogLimiterOptions = {},
  ) {
    this.perWindow = options.perWindow ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Writes a warning of `kind` (to `logger`, default the limiter's) unless this kind's quota for the window is spent. */
  warn(kind: string, message: string, context: Record<string, unknown>, logger = this.logger): void {
    if (this.admit(kind, logger)) logger.warn(message, context);
  }

  /** Writes an error of `kind` (to `logger`, default the limiter's) unless this kind's quota for the window is spent. */
  error(kind: string, message: string, context: Record<string, unknown>, logger = this.logger): void {
    if (this.admit(kind, logger)) logger.error(message, context);
  }

  /** The same quotas, writing to `logger`: for the lines of a request that brought its own logger. */
  writingTo(logger: KlingLogger): Pick<LogLimiter, 'warn' | 'error'> {
    return {
      warn: (kind, message, context) => this.warn(kind, message, context, logger),
      error: (kind, message, context) => this.error(kind, message, context, logger),
    };
  }

  private admit(kind: string, logger: KlingLogger): boolean {
    const now = this.now();
    let window = this.windows.get(kind);
    if (window === undefined) {
      window = { start: now, written: 0, suppressed: 0 };
      this.windows.set(kind, window);
    } else if (now - window.start >= this.windowMs) {
      if (window.suppressed > 0) {
        logger.warn(`suppressed ${window.suppressed} "${kind}" log lines`, {
          kind,
          suppressed: window.suppressed,
          windowMs: this.windowMs,
        });
      }
      window.start = now;
      window.written = 0;
      window.suppressed = 0;
    }
    if (window.written < this.perWindow) {
      window.written++;
      return true;
    }
    window.suppressed++;
    return false;
  }
}
