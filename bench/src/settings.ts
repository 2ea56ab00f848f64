/** How long and how much a bench run measures. */
export interface Settings {
  name: 'full' | 'quick';
  connections: number;
  /** Unrecorded run per route before the rounds (JIT, caches, the memory store reaching its bound); 0: none. */
  warmupSec: number;
  /** Length of one measured run. */
  durationSec: number;
  /** Measured runs per route; bare and ours alternate within each round. */
  rounds: number;
  /** Keys the memory row inserts. */
  memoryKeys: number;
  /** `ackTimeoutMs` of the slow-handler row, and how long it is loaded. */
  ackTimeoutMs: number;
  slowDurationSec: number;
}

export const FULL: Settings = {
  name: 'full',
  connections: 50,
  warmupSec: 1,
  // Many short rounds: this machine changes speed for seconds at a time, and a short round puts bare and ours in
  // the same spell more often; the median of the per-round ratios then drops the rounds that straddled a change.
  durationSec: 0.75,
  rounds: 8,
  memoryKeys: 1_000_000,
  ackTimeoutMs: 1000,
  slowDurationSec: 3,
};

/** A smoke run for CI: every row once, shorter; no thresholds. */
export const QUICK: Settings = {
  name: 'quick',
  connections: 50,
  // No warm-up: a smoke run checks answers, not speed, and 26 route runs with a warm-up each took over 60 s.
  warmupSec: 0,
  durationSec: 0.75,
  rounds: 1,
  memoryKeys: 100_000,
  ackTimeoutMs: 1000,
  slowDurationSec: 2,
};
