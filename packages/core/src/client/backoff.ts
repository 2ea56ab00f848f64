/** `baseMs * 2^attempt`, capped at `maxMs` (attempt 0 is the first retry). */
export function exponentialDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
}

/**
 * "Full jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter"): a uniform delay in [0, exponential]. It
 * spreads clients that failed together better than a fixed or equal-jitter delay.
 */
export function fullJitterDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  return Math.floor(random() * exponentialDelay(attempt, baseMs, maxMs));
}
