// Child process (run with --expose-gc): inserts distinct keys into one memoryStore and reports, at each checkpoint,
// heap and RSS growth after a full GC and a pause (`settle`) and the cost of claim + complete over the batch that
// reached it; then, with the store full, the cost of claims that evict. Prints one JSON line.
import { type KlingEventRef, memoryStore } from '@kling-webhooks/core';
import { median } from './median.js';

/** One checkpoint of the memory row. */
export interface MemoryCheckpoint {
  keys: number;
  heapGrowthBytes: number;
  rssGrowthBytes: number;
  /** ns of one claim + complete just before the checkpoint: the median of 1000-key batches over its last half (≤ 50k). */
  nsPerClaim: number;
}

/** What the memory row prints. */
export interface MemoryReport {
  checkpoints: MemoryCheckpoint[];
  /** ns of one claim + complete once the store is full (each insert evicts the oldest key): median of 50 batches. */
  nsPerClaimWhenFull: number;
}

const BATCH = 10_000;
const TIMED_BATCH = 1000;
const LEASE = { leaseMs: 300_000, ttlMs: 7 * 24 * 3600 * 1000 };
const DONE = { ttlMs: 7 * 24 * 3600 * 1000 };

/** How long V8's background thread gets to return the pages a full GC freed (RSS counts them until then). */
const SETTLE_MS = 500;

/**
 * A full GC, then a pause: V8 hands freed pages back to the OS from a background thread, so RSS read right after
 * `gc()` still counts them (about 90 MB more at a million keys here).
 */
async function settle(): Promise<void> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with --expose-gc');
  collect();
  collect();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/**
 * Events as the receiver hands them to the store, built before the timed loop. Non-terminal: one store entry per
 * event (a terminal one adds its task's marker), as this row has always measured.
 */
function keys(from: number, count: number): KlingEventRef[] {
  const list = new Array<KlingEventRef>(count);
  for (let i = 0; i < count; i++) {
    list[i] = { taskId: String(800_000_000_000_000_000n + BigInt(from + i)), status: 'processing', terminal: false };
  }
  return list;
}

/** Mean ns of claim + complete for each key (all new). */
async function insert(store: ReturnType<typeof memoryStore>, batch: readonly KlingEventRef[]): Promise<number> {
  const started = process.hrtime.bigint();
  for (const key of batch) {
    const claim = await store.claim(key, LEASE);
    if (claim.state !== 'claimed') throw new Error(`expected a new key, got ${claim.state}`);
    await store.complete(key, claim.token, DONE);
  }
  return Number(process.hrtime.bigint() - started) / batch.length;
}

async function main(total: number): Promise<MemoryReport> {
  // Warm the code paths up on a throwaway store, so the first checkpoint is not the JIT's.
  const warm = memoryStore({ maxEntries: 10 * BATCH });
  for (let i = 0; i < 20; i++) await insert(warm, keys(10_000_000 + i * BATCH, BATCH));

  const checkpoints = [10_000, 100_000, 1_000_000, total].filter((n, i, all) => n <= total && all.indexOf(n) === i);
  const store = memoryStore({ maxEntries: total });
  await settle();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage.rss();
  const report: MemoryReport = { checkpoints: [], nsPerClaimWhenFull: 0 };
  let inserted = 0;
  for (const checkpoint of checkpoints) {
    // Untimed up to the last half (at most 50k keys) before the checkpoint, then timed in batches of 1000: the
    // median batch is the cost at that size (one GC pause does not make it).
    const timedFrom = checkpoint - Math.min(checkpoint / 2, 50_000);
    while (inserted < timedFrom) {
      const batch = keys(inserted, Math.min(BATCH, timedFrom - inserted));
      await insert(store, batch);
      inserted += batch.length;
    }
    const batches: number[] = [];
    while (inserted < checkpoint) {
      batches.push(await insert(store, keys(inserted, TIMED_BATCH)));
      inserted += TIMED_BATCH;
    }
    await settle();
    report.checkpoints.push({
      keys: checkpoint,
      heapGrowthBytes: process.memoryUsage().heapUsed - heap0,
      rssGrowthBytes: process.memoryUsage.rss() - rss0,
      nsPerClaim: median(batches),
    });
  }
  // Full: every further insert drops the oldest key.
  const full: number[] = [];
  for (let i = 0; i < 50; i++) {
    full.push(await insert(store, keys(inserted, TIMED_BATCH)));
    inserted += TIMED_BATCH;
  }
  report.nsPerClaimWhenFull = median(full);
  return report;
}

const total = Number(process.argv[2] ?? 1_000_000);
main(total).then(
  (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
