import { KlingConfigError } from '../errors.js';
import type {
  KlingVerifiableRequest,
  KlingVerifier,
  KlingVerifyFunction,
  KlingVerifyOption,
  VerifyOutcome,
} from './types.js';

/** A verification step that never throws: a thrown or rejected error becomes a failed outcome. */
type Step = (request: KlingVerifiableRequest) => Promise<VerifyOutcome>;

const HOW_TO_VERIFY =
  "write `verify: klingSignature({ secrets: [...] })` with Kling's Webhook Secret (whsec_…), " +
  '`verify: callbackToken({ secret })` for signed callback URLs, ' +
  "or `verify: 'none'` to accept unverified callbacks on purpose";

const NONE: VerifyOutcome = Object.freeze({ ok: true, verifier: 'none' });

function failed(verifier: string, reason: string): VerifyOutcome {
  return { ok: false, verifier, reason };
}

/** Names the error class only: a custom verifier's message might quote a secret or a token. */
function thrown(verifier: string, error: unknown): VerifyOutcome {
  const kind = error instanceof Error ? error.name : typeof error;
  return failed(verifier, `verifier threw (${kind})`);
}

function isVerifier(value: unknown): value is KlingVerifier {
  return typeof value === 'object' && value !== null && typeof (value as KlingVerifier).verify === 'function';
}

function functionStep(fn: KlingVerifyFunction): Step {
  const name = fn.name || 'custom';
  const pass: VerifyOutcome = Object.freeze({ ok: true, verifier: name });
  const refuse: VerifyOutcome = Object.freeze(failed(name, 'verifier returned false'));
  return async (request) => {
    try {
      return (await fn(request)) === true ? pass : refuse;
    } catch (error) {
      return thrown(name, error);
    }
  };
}

function verifierStep(verifier: KlingVerifier): Step {
  const name = typeof verifier.name === 'string' && verifier.name ? verifier.name : 'custom';
  return async (request) => {
    try {
      const outcome = await verifier.verify(request);
      // A hand-written verifier may return anything: only a well-formed pass counts as one.
      if (outcome?.ok === true) return outcome;
      return failed(name, typeof outcome?.reason === 'string' ? outcome.reason : 'verifier did not pass');
    } catch (error) {
      return thrown(name, error);
    }
  };
}

function stepOf(option: KlingVerifier | KlingVerifyFunction, index?: number): Step {
  if (typeof option === 'function') return functionStep(option);
  if (isVerifier(option)) return verifierStep(option);
  const where = index === undefined ? '' : ` (item #${index + 1})`;
  throw new KlingConfigError(
    `verify${where} must be a verifier such as klingSignature({ secrets }), a function returning a boolean, or 'none'`,
  );
}

/** "Any of": tried in order, the first pass wins; if all fail, one outcome lists each verifier's reason. */
function anyOf(steps: readonly Step[]): Step {
  return async (request) => {
    const failures: VerifyOutcome[] = [];
    for (const step of steps) {
      const outcome = await step(request);
      if (outcome.ok) return outcome;
      failures.push(outcome);
    }
    return failed(
      failures.map((f) => f.verifier).join('|'),
      failures.map((f) => `${f.verifier}: ${f.ok ? '' : f.reason}`).join('; '),
    );
  };
}

/**
 * Turns the receiver's `verify` option into one function that never throws. Called once at start-up.
 *
 * @throws {@link KlingConfigError} when `verify` is missing (the message says what to write), an empty list, or not a
 * verifier.
 */
export function createVerification(
  option: KlingVerifyOption | undefined,
): (request: KlingVerifiableRequest) => Promise<VerifyOutcome> {
  if (option === undefined || option === null)
    throw new KlingConfigError(`the "verify" option is required: ${HOW_TO_VERIFY}`);
  if (option === 'none') return () => Promise.resolve(NONE);
  if (Array.isArray(option)) {
    const list: ReadonlyArray<KlingVerifier | KlingVerifyFunction> = option;
    if (list.length === 0) {
      throw new KlingConfigError(`verify: [] would refuse every callback: ${HOW_TO_VERIFY}`);
    }
    const steps = list.map(stepOf);
    return steps.length === 1 ? steps[0]! : anyOf(steps);
  }
  return stepOf(option as KlingVerifier | KlingVerifyFunction);
}

/**
 * Why a passing outcome does not fit the event, or `undefined` when it does. A callback token bound to a task
 * (`expect`) must only deliver that task: the receiver answers 401 when this returns a reason.
 */
export function bindingMismatch(
  outcome: VerifyOutcome,
  event: { taskId: string; externalTaskId?: string },
): string | undefined {
  if (!outcome.ok || outcome.expect === undefined) return undefined;
  const { taskId, externalTaskId } = outcome.expect;
  if (taskId !== undefined && taskId !== event.taskId) return `${outcome.verifier} is bound to another task id`;
  if (externalTaskId !== undefined) {
    if (event.externalTaskId === undefined) {
      return `${outcome.verifier} is bound to an external task id the event does not carry`;
    }
    if (externalTaskId !== event.externalTaskId) return `${outcome.verifier} is bound to another external task id`;
  }
  return undefined;
}
