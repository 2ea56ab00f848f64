import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../src/store/memory.js';
import type { KlingEventRef } from '../src/store/types.js';

/**
 * The memory store against a model of the dedupe rules with time in it (what the contract and the model suite in
 * test/redis cannot step through: leases that lapse, claim records kept until keepUntil, done states and the terminal
 * marker expiring on their own TTLs), over two tasks. The model keeps one entry per state and one terminal marker per
 * task, as the store kept them before it held one record per task: it pins that change to the same answers.
 */
const TASKS = ['a', 'b'] as const;
const STATUSES = ['submitted', 'processing', 'succeed', 'failed'] as const;
type Status = (typeof STATUSES)[number];
const isTerminal = (status: Status): boolean => status === 'succeed' || status === 'failed';
const LEASE_MS = 100;

interface ModelClaim {
  token: string;
  leaseUntil: number;
  keepUntil: number;
}

class Model {
  readonly done = new Map<string, number>();
  readonly claims = new Map<string, ModelClaim>();
  /** Task → the terminal claim holding it. */
  readonly holders = new Map<string, ModelClaim>();
  /** Task → when its ended marker expires. */
  readonly ended = new Map<string, number>();

  #live<V>(map: Map<string, V>, key: string, until: (value: V) => number, now: number): V | undefined {
    const value = map.get(key);
    if (value === undefined || until(value) > now) return value;
    map.delete(key);
    return undefined;
  }

  claim(task: string, status: Status, now: number, ttlMs: number, token: () => string) {
    const key = `${task}:${status}`;
    if (this.#live(this.done, key, (t) => t, now) !== undefined) return { state: 'done' };
    if (this.#live(this.ended, task, (t) => t, now) !== undefined) return { state: 'superseded' };
    const own = this.#live(this.claims, key, (c) => c.keepUntil, now);
    const holder = this.#live(this.holders, task, (c) => c.keepUntil, now);
    if (holder !== undefined && holder !== own) return { state: 'superseded' };
    if (own !== undefined && own.leaseUntil > now) return { state: 'in-flight', retryAfterMs: own.leaseUntil - now };
    const claim = { token: token(), leaseUntil: now + LEASE_MS, keepUntil: now + Math.max(LEASE_MS, ttlMs) };
    this.claims.set(key, claim);
    if (isTerminal(status)) this.holders.set(task, claim);
    return { state: 'claimed', token: claim.token };
  }

  complete(task: string, status: Status, token: string, now: number, ttlMs: number): boolean {
    const key = `${task}:${status}`;
    if (this.#live(this.claims, key, (c) => c.keepUntil, now)?.token !== token) return false;
    this.claims.delete(key);
    this.done.set(key, now + ttlMs);
    if (isTerminal(status)) {
      this.holders.delete(task);
      this.ended.set(task, now + ttlMs);
    }
    return true;
  }

  release(task: string, status: Status, token: string, now: number): boolean {
    const key = `${task}:${status}`;
    const claim = this.#live(this.claims, key, (c) => c.keepUntil, now);
    if (claim?.token !== token) return false;
    this.claims.delete(key);
    if (this.holders.get(task) === claim) this.holders.delete(task);
    return true;
  }

  isTaskDone(task: string, now: number): boolean {
    return this.#live(this.ended, task, (t) => t, now) !== undefined;
  }
}

type Op =
  | { kind: 'claim'; task: number; status: Status; ttlMs: number }
  | { kind: 'complete'; task: number; status: Status; token: number; ttlMs: number }
  | { kind: 'release'; task: number; status: Status; token: number }
  | { kind: 'wait'; ms: number }
  | { kind: 'isTaskDone'; task: number };

const task = fc.integer({ min: 0, max: TASKS.length - 1 });
const status = fc.constantFrom(...STATUSES);
const ttlMs = fc.constantFrom(50, 150, 400);
const token = fc.nat({ max: 9 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('claim' as const), task, status, ttlMs }),
  fc.record({ kind: fc.constant('complete' as const), task, status, token, ttlMs }),
  fc.record({ kind: fc.constant('release' as const), task, status, token }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 250 }) }),
  fc.record({ kind: fc.constant('isTaskDone' as const), task }),
);

describe('memoryStore against a model with time (leases lapse, states and markers expire)', () => {
  it('answers as the model on every sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const clock = { t: 1_000_000 };
        const store = memoryStore({ now: () => clock.t });
        const model = new Model();
        const tokens: string[] = ['not-a-token'];
        const ref = (i: number, s: Status): KlingEventRef => ({
          taskId: TASKS[i] as string,
          status: s,
          terminal: isTerminal(s),
        });
        const now = (): number => clock.t - 1_000_000;
        for (const step of ops) {
          if (step.kind === 'wait') {
            clock.t += step.ms;
          } else if (step.kind === 'claim') {
            const actual = await store.claim(ref(step.task, step.status), { leaseMs: LEASE_MS, ttlMs: step.ttlMs });
            const taken = actual.state === 'claimed' ? actual.token : 'unused';
            const expected = model.claim(TASKS[step.task] as string, step.status, now(), step.ttlMs, () => taken);
            expect(actual, `claim ${step.task}:${step.status}`).toEqual(expected);
            if (actual.state === 'claimed') tokens.push(actual.token);
          } else if (step.kind === 'complete') {
            const t = tokens[step.token % tokens.length] as string;
            const actual = await store.complete(ref(step.task, step.status), t, { ttlMs: step.ttlMs });
            const expected = model.complete(TASKS[step.task] as string, step.status, t, now(), step.ttlMs);
            expect(actual, `complete ${step.task}:${step.status}`).toBe(expected);
          } else if (step.kind === 'release') {
            const t = tokens[step.token % tokens.length] as string;
            const actual = await store.release(ref(step.task, step.status), t);
            expect(actual, `release ${step.task}:${step.status}`).toBe(
              model.release(TASKS[step.task] as string, step.status, t, now()),
            );
          } else {
            const id = TASKS[step.task] as string;
            expect(await store.isTaskDone(id), `isTaskDone ${id}`).toBe(model.isTaskDone(id, now()));
          }
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
