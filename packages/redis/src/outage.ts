import type { KlingLogger } from '@kling-webhooks/core';

/** A short reason for a log line: the error's code or name and message, with any URL credentials removed. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const label = typeof code === 'string' ? code : error.name;
  return `${label}: ${error.message}`.replace(/\/\/[^/\s@]*@/g, '//***@');
}

/**
 * Logs a Redis outage once when it starts (error) and once when it ends (info), however many requests fail in
 * between: a down Redis must not turn every delivery into a log line.
 */
export class OutageLog {
  private downSince: number | undefined;

  constructor(private readonly logger: KlingLogger) {}

  failed(error: unknown): void {
    if (this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.logger.error('redis store unavailable: deliveries get 503 until Redis answers again', {
      reason: describeFailure(error),
    });
  }

  succeeded(): void {
    if (this.downSince === undefined) return;
    const downForMs = Date.now() - this.downSince;
    this.downSince = undefined;
    this.logger.info('redis store available again', { downForMs });
  }
}
