import { headerValue } from '../headers.js';
import type { KlingLogger } from '../logger.js';
import type { KlingHeaders } from '../request.js';
import type { VerifyOutcome } from '../verify/types.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Two rotation signals, logged whether or not OpenTelemetry is set up:
 * - a secret other than the first one of a verifier (`secrets[0]` is the current one; later ones are being retired)
 *   verified a request: one warning per verifier and secret a day, while it goes on;
 * - a request arrived without `webhook-signature` on a receiver that has seen Kling-signed ones (Kling sends unsigned
 *   callbacks once every Webhook Secret is deleted in its console, docs/kling-protocol.md §3): at most one warning an
 *   hour.
 * Costs nothing per request until a signed request or an old secret is seen: no header is looked up before that.
 */
export class SigningWatch {
  private seenSigned = false;
  private unsignedWarnedAt = Number.NEGATIVE_INFINITY;
  private readonly oldSecretWarnedAt = new Map<string, number>();

  /** Looks at one verified (or refused) request. */
  observe(outcome: VerifyOutcome, headers: KlingHeaders, logger: KlingLogger, now: number): void {
    if (outcome.ok) {
      const index = outcome.secretIndex;
      if (index !== undefined && index > 0) this.oldSecret(outcome.verifier, index, logger, now);
      if (outcome.verifier === 'kling-signature') {
        this.seenSigned = true;
        return;
      }
    }
    if (this.seenSigned && now - this.unsignedWarnedAt >= HOUR_MS && !isSigned(headers)) {
      this.unsignedWarnedAt = now;
      logger.warn(
        'an unsigned callback arrived on a receiver that has seen signed ones: Kling stops signing once every ' +
          'Webhook Secret is deleted in its console (or the request did not come from Kling)',
        { verifier: outcome.verifier, verified: outcome.ok },
      );
    }
  }

  private oldSecret(verifier: string, index: number, logger: KlingLogger, now: number): void {
    const key = `${verifier}#${index}`;
    const last = this.oldSecretWarnedAt.get(key);
    if (last !== undefined && now - last < DAY_MS) return;
    this.oldSecretWarnedAt.set(key, now);
    logger.warn(
      `an old secret still verifies callbacks: secret #${index + 1} of ${verifier}, not the first (current) one; ` +
        'remove it once it no longer shows up (this warning repeats daily)',
      { verifier, secretIndex: index },
    );
  }
}

/** Whether the request carries a Standard Webhooks signature header. */
export function isSigned(headers: KlingHeaders): boolean {
  return headerValue(headers, 'webhook-signature') !== undefined;
}
