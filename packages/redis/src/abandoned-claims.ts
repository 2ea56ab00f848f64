/** At most this many keys are remembered; an outage with more distinct deliveries forgets the oldest. */
const MAX_KEYS = 10_000;
/** Per key, the first claims are kept: queued commands run in order, so the first one is the one that got the lease. */
const MAX_TOKENS = 16;

interface Entry {
  tokens: string[];
  /** Unix ms after which the lease these tokens could hold has lapsed anyway. */
  until: number;
}

/**
 * Claims of this process whose caller was told "store unavailable" (they timed out) but which may still run on
 * Redis: clients queue commands while reconnecting. Such a claim holds no handler, so when this process sees its
 * own abandoned token as the lease owner it may take the lease over instead of answering 409 for a whole lease.
 */
export class AbandonedClaims {
  private readonly entries = new Map<string, Entry>();

  add(key: string, token: string, until: number): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      if (entry.tokens.length < MAX_TOKENS) entry.tokens.push(token);
      entry.until = Math.max(entry.until, until);
      return;
    }
    if (this.entries.size >= MAX_KEYS) {
      for (const oldest of this.entries.keys()) {
        this.entries.delete(oldest);
        break;
      }
    }
    this.entries.set(key, { tokens: [token], until });
  }

  /** The claim answered after all (and was released) or failed: its token can hold nothing any more. */
  settle(key: string, token: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    entry.tokens = entry.tokens.filter((t) => t !== token);
    if (entry.tokens.length === 0) this.entries.delete(key);
  }

  tokens(key: string, now: number): string[] {
    const entry = this.entries.get(key);
    if (entry === undefined) return [];
    if (entry.until > now) return entry.tokens;
    this.entries.delete(key);
    return [];
  }
}
