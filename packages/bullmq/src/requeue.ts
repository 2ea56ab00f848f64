import type { Queue } from 'bullmq';

/** Options of `requeueFailed`. */
export interface RequeueFailedOptions {
  /** Most jobs to move. Default: all of them. */
  limit?: number;
}

/** Failed jobs read per page. */
const PAGE = 100;

/**
 * Moves the queue's failed jobs back to waiting, attempts reset (so each gets the full `attempts` again); resolves
 * with how many were moved. A job that another caller moved meanwhile is skipped. Each job's event keeps its dedupe
 * key: one already done elsewhere is completed without calling the handlers.
 */
export async function requeueFailed(queue: Queue, options: RequeueFailedOptions = {}): Promise<number> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let moved = 0;
  while (moved < limit) {
    // Always the first page: moved jobs leave the failed set.
    const jobs = await queue.getFailed(0, Math.min(PAGE, limit - moved) - 1);
    if (jobs.length === 0) break;
    let movedNow = 0;
    for (const job of jobs) {
      try {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        movedNow++;
      } catch {
        // Not failed any more (another caller re-queued it, or it was removed).
      }
    }
    moved += movedNow;
    if (movedNow === 0) break;
  }
  return moved;
}
