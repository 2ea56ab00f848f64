import { randomUUID } from 'node:crypto';
import { type KlingDedupeStore, type KlingEventRef, memoryStore } from '@kling-webhooks/core';
import { redisStore } from '@kling-webhooks/redis';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, connectClient, deleteByPrefix, describeWithRedis, type TestClient } from './support/redis.js';

/**
 * Random interleavings of claims, completes and releases of one task's states, checked step by step against a model
 * of the rules: a done state is a duplicate; once a terminal state is claimed, every other state of the task is
 * superseded (a second terminal state too), until that claim is released; a held state is in flight; complete and
 * release act only for the current owner's token. Leases never lapse here (see the contract suite for lapses).
 */
const STATUSES = ['submitted', 'processing', 'succeed', 'failed'] as const;
type Status = (typeof STATUSES)[number];
const terminal = (status: Status): boolean => status === 'succeed' || status === 'failed';

type Op = { kind: 'claim'; status: Status } | { kind: 'complete' | 'release'; status: Status; token: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('claim' as const), status: fc.constantFrom(...STATUSES) }),
  fc.record({
    kind: fc.constantFrom('complete' as const, 'release' as const),
    status: fc.constantFrom(...STATUSES),
    token: fc.nat({ max: 7 }),
  }),
);

class Model {
  /** Per status: undefined (free), the owner token, or 'done'. */
  readonly state = new Map<Status, string>();
  /** The terminal status holding the task, or 'done' once one completed. */
  marker: Status | 'done' | undefined;

  claim(status: Status): 'done' | 'superseded' | 'in-flight' | 'claimed' {
    const own = this.state.get(status);
    if (own === 'done') return 'done';
    if (this.marker === 'done' || (this.marker !== undefined && this.marker !== status)) return 'superseded';
    if (own !== undefined) return 'in-flight';
    return 'claimed';
  }

  taken(status: Status, token: string): void {
    this.state.set(status, token);
    if (terminal(status)) this.marker = status;
  }

  complete(status: Status, token: string): boolean {
    if (this.state.get(status) !== token) return false;
    this.state.set(status, 'done');
    if (terminal(status)) this.marker = 'done';
    return true;
  }

  release(status: Status, token: string): boolean {
    if (this.state.get(status) !== token) return false;
    this.state.delete(status);
    if (this.marker === status) this.marker = undefined;
    return true;
  }
}

async function run(store: KlingDedupeStore, ops: Op[]): Promise<void> {
  const taskId = `model-${randomUUID()}`;
  const model = new Model();
  // Tokens handed out so far (and a wrong one): complete/release pick among them.
  const tokens: string[] = ['not-a-token'];
  const ref = (status: Status): KlingEventRef => ({ taskId, status, terminal: terminal(status) });
  const options = { leaseMs: 60_000, ttlMs: 60_000 };
  for (const step of ops) {
    if (step.kind === 'claim') {
      const result = await store.claim(ref(step.status), options);
      expect(result.state, `claim ${step.status}`).toBe(model.claim(step.status));
      if (result.state === 'claimed') {
        tokens.push(result.token);
        model.taken(step.status, result.token);
      }
    } else {
      const token = tokens[step.token % tokens.length] as string;
      const actual = await store[step.kind](ref(step.status), token, { ttlMs: 60_000 });
      expect(actual, `${step.kind} ${step.status}`).toBe(model[step.kind](step.status, token));
    }
  }
  expect(await store.isTaskDone(taskId)).toBe(model.marker === 'done');
}

describe('dedupe store against the model: memoryStore', () => {
  it('agrees with the model on every interleaving', async () => {
    const store = memoryStore();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), (ops) => run(store, ops)),
      { numRuns: 500 },
    );
  });
});

describeWithRedis('dedupe store against the model: redisStore', () => {
  let user: TestClient;
  let admin: Redis;
  const prefix = `kling-test:${randomUUID()}:`;
  beforeAll(async () => {
    user = await connectClient('ioredis');
    admin = await adminClient();
  });
  afterAll(async () => {
    await deleteByPrefix(admin, prefix);
    await user?.close();
    admin?.disconnect();
  });

  it('agrees with the model on every interleaving', async () => {
    const store = redisStore({ client: user.client, prefix });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), (ops) => run(store, ops)),
      { numRuns: 150 },
    );
  }, 60_000);
});
