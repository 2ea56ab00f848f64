import { describe, expect, it } from 'vitest';
import { KlingConfigError } from '../src/errors.js';
import { bindingMismatch, createVerification } from '../src/verify/compose.js';
import type { KlingVerifier, KlingVerifyOption, VerifyOutcome } from '../src/verify/types.js';

const req = { method: 'POST', url: '/webhooks/kling', headers: {}, rawBody: new Uint8Array() };

function reasonOf(outcome: VerifyOutcome): string {
  if (outcome.ok) throw new Error('expected a failed outcome');
  return outcome.reason;
}

function configError(option: unknown): KlingConfigError {
  try {
    createVerification(option as KlingVerifyOption);
  } catch (error) {
    if (error instanceof KlingConfigError) return error;
    throw error;
  }
  throw new Error('expected a KlingConfigError');
}

const passing = (name: string): KlingVerifier => ({ name, verify: () => ({ ok: true, verifier: name }) });
const failing = (name: string, reason: string): KlingVerifier => ({
  name,
  verify: () => ({ ok: false, verifier: name, reason }),
});

describe('createVerification', () => {
  it('refuses a missing verify option and says exactly what to write', () => {
    for (const option of [undefined, null]) {
      const error = configError(option);
      expect(error.code).toBe('KLING_CONFIG');
      expect(error.message).toContain('verify: klingSignature({ secrets: [...] })');
      expect(error.message).toContain("verify: 'none'");
    }
  });

  it("accepts everything with 'none'", async () => {
    expect(await createVerification('none')(req)).toEqual({ ok: true, verifier: 'none' });
  });

  it('runs a function verifier: true passes, false and non-true fail, named after the function', async () => {
    async function allowInternal() {
      return true;
    }
    expect(await createVerification(allowInternal)(req)).toEqual({ ok: true, verifier: 'allowInternal' });
    expect(await createVerification(() => true)(req)).toMatchObject({ ok: true });
    const refused = await createVerification(function denyAll() {
      return false;
    })(req);
    expect(refused).toEqual({ ok: false, verifier: 'denyAll', reason: 'verifier returned false' });
    // Anything but `true` is a refusal, so a sloppy truthy return cannot let a request in.
    const truthy = (() => 'yes') as unknown as () => boolean;
    expect((await createVerification(truthy)(req)).ok).toBe(false);
  });

  it('turns a throwing or rejecting verifier into a failed outcome without the error message', async () => {
    const secret = 'do-not-leak-me';
    const throws = createVerification(() => {
      throw new TypeError(`bad ${secret}`);
    });
    const threw = await throws(req);
    expect(threw).toMatchObject({ ok: false });
    expect(reasonOf(threw)).toBe('verifier threw (TypeError)');
    const rejects = createVerification({
      name: 'flaky',
      verify: () => Promise.reject(new Error(secret)),
    });
    const rejected = await rejects(req);
    expect(rejected).toEqual({ ok: false, verifier: 'flaky', reason: 'verifier threw (Error)' });
    expect(JSON.stringify([threw, rejected])).not.toContain(secret);
  });

  it('runs a verifier object and keeps its outcome', async () => {
    expect(await createVerification(passing('a'))(req)).toEqual({ ok: true, verifier: 'a' });
    expect(await createVerification(failing('b', 'nope'))(req)).toEqual({ ok: false, verifier: 'b', reason: 'nope' });
  });

  it('treats an array as "any of": in order, first pass wins, all failing lists each reason', async () => {
    const calls: string[] = [];
    const tracked = (verifier: KlingVerifier): KlingVerifier => ({
      name: verifier.name,
      verify: (r) => {
        calls.push(verifier.name);
        return verifier.verify(r);
      },
    });
    const anyOf = createVerification([
      tracked(failing('first', 'r1')),
      tracked(passing('second')),
      tracked(passing('third')),
    ]);
    expect(await anyOf(req)).toEqual({ ok: true, verifier: 'second' });
    expect(calls).toEqual(['first', 'second']);

    const none = createVerification([
      failing('kling-signature', 'missing webhook-signature header'),
      () => {
        throw new Error('x');
      },
      function custom() {
        return false;
      },
    ]);
    const outcome = await none(req);
    expect(outcome.ok).toBe(false);
    expect(outcome.verifier).toBe('kling-signature|custom|custom');
    expect(reasonOf(outcome)).toBe(
      'kling-signature: missing webhook-signature header; custom: verifier threw (Error); custom: verifier returned false',
    );
  });

  it('refuses an empty array and things that are not verifiers', () => {
    expect(configError([]).message).toContain('klingSignature');
    expect(configError('kling').message).toMatch(/must be a verifier/);
    expect(configError([passing('a'), { name: 'broken' }]).message).toContain('item #2');
  });
});

describe('bindingMismatch', () => {
  const bound: VerifyOutcome = {
    ok: true,
    verifier: 'callback-token',
    expect: { taskId: 't-1', externalTaskId: 'order-1' },
  };

  it('accepts an event of the bound task and anything when nothing is bound', () => {
    expect(bindingMismatch(bound, { taskId: 't-1', externalTaskId: 'order-1' })).toBeUndefined();
    expect(bindingMismatch({ ok: true, verifier: 'kling-signature' }, { taskId: 'x' })).toBeUndefined();
    expect(bindingMismatch({ ok: false, verifier: 'x', reason: 'r' }, { taskId: 'x' })).toBeUndefined();
  });

  it('names a mismatch of task id, external task id, or a missing external id', () => {
    expect(bindingMismatch(bound, { taskId: 't-2', externalTaskId: 'order-1' })).toBe(
      'callback-token is bound to another task id',
    );
    expect(bindingMismatch(bound, { taskId: 't-1', externalTaskId: 'order-2' })).toBe(
      'callback-token is bound to another external task id',
    );
    expect(bindingMismatch(bound, { taskId: 't-1' })).toBe(
      'callback-token is bound to an external task id the event does not carry',
    );
    const taskOnly: VerifyOutcome = { ok: true, verifier: 'callback-token', expect: { taskId: 't-1' } };
    expect(bindingMismatch(taskOnly, { taskId: 't-1' })).toBeUndefined();
  });
});
