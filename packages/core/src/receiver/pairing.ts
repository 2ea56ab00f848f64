import type { KlingLogger } from '../logger.js';
import { sleep } from '../platform/sleep.js';
import type { KlingTaskPairings } from '../store/types.js';
import { withinBudget } from './budget.js';
import { describeError } from './handlers.js';

/** Longest wait for a pairing the client has not recorded yet (the `submitted` callback can beat the create answer). */
const WAIT_MS = 1_000;
/** Pause between two reads of a pairing still unknown. */
const POLL_MS = 50;

/** What the receiver learnt about a token bound to an external id: its task, another task, or nothing yet. */
export type PairingVerdict = 'paired' | 'other-task' | 'unknown';

/** Asks Kling (or your records) which task id an external task id names; `undefined` when it does not know. */
export type KlingTaskLookup = (externalTaskId: string) => Promise<string | undefined>;

/**
 * Ties a callback token bound to an external id to one Kling task: the task `KlingClient` recorded for that external
 * id in the store (waiting up to ~1 s for it), else the answer of `lookup` (then recorded), else nothing: the request
 * is never dispatched on an unverified pairing.
 */
export class PairingCheck {
  constructor(
    private readonly store: Partial<KlingTaskPairings>,
    private readonly lookup: KlingTaskLookup | undefined,
    private readonly ttlMs: number,
    private readonly logger: KlingLogger,
  ) {}

  /**
   * The verdict for a body naming `taskId` under a token bound to `externalTaskId`, within `budgetMs`. Rejects when
   * the store fails; a failing lookup counts as not knowing.
   */
  async check(externalTaskId: string, taskId: string, budgetMs: number): Promise<PairingVerdict> {
    const deadline = Date.now() + Math.min(WAIT_MS, budgetMs / 2);
    const read = this.store.pairedTaskId?.bind(this.store);
    let paired = read === undefined ? undefined : await read(externalTaskId);
    while (paired === undefined && read !== undefined && Date.now() + POLL_MS <= deadline) {
      await sleep(POLL_MS);
      paired = await read(externalTaskId);
    }
    if (paired === undefined && this.lookup !== undefined) {
      const looked = await withinBudget(
        this.lookup(externalTaskId).catch((error: unknown) => {
          this.logger.warn('lookupTask failed', { error: describeError(error) });
          return undefined;
        }),
        deadline + budgetMs / 4 - Date.now(),
      );
      // A lookup still running when the budget is spent counts as not knowing.
      if (typeof looked === 'string' && looked !== '') {
        paired = looked;
        await this.store.pairTask?.(externalTaskId, looked, this.ttlMs);
      }
    }
    if (paired === undefined) return 'unknown';
    return paired === taskId ? 'paired' : 'other-task';
  }
}
