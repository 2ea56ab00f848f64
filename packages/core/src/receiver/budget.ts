import { unrefTimer } from '../platform/timer.js';
/** What `withinBudget` resolves to when the time ran out first. */
export const BUDGET_SPENT: unique symbol = Symbol('kling.budget-spent');

/**
 * Resolves with `work`'s result, or with `BUDGET_SPENT` after `ms` if the work is still running (the work is not
 * cancelled: the receiver acknowledges and lets it finish). `work` must not reject.
 */
export async function withinBudget<T>(work: Promise<T>, ms: number): Promise<T | typeof BUDGET_SPENT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const spent = new Promise<typeof BUDGET_SPENT>((resolve) => {
    timer = setTimeout(resolve, Math.max(ms, 0), BUDGET_SPENT);
    // The pending request keeps the process alive, not this timer.
    unrefTimer(timer);
  });
  const result = await Promise.race([work, spent]);
  clearTimeout(timer);
  return result;
}
