import { randomUUID } from 'node:crypto';
import type { KlingStore } from '@kling-webhooks/core';
import { redisStore } from '@kling-webhooks/redis';
import { describeStoreContract } from '@kling-webhooks/testing/store-contract';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import {
  adminClient,
  connectClient,
  deleteByPrefix,
  describeWithRedis,
  IN_PROCESS_CLIENT_KINDS,
  type TestClient,
} from './support/redis.js';

for (const kind of IN_PROCESS_CLIENT_KINDS) {
  describeWithRedis(`redisStore with ${kind}`, () => {
    let user: TestClient;
    let admin: Redis;
    const prefixes = new Map<KlingStore, string>();

    beforeAll(async () => {
      user = await connectClient(kind);
      admin = await adminClient();
    });
    afterAll(async () => {
      await user?.close();
      admin?.disconnect();
    });

    describeStoreContract(
      kind,
      () => {
        // One namespace per test: the pending cases take every due task of their store.
        const prefix = `kling-test:${randomUUID()}:`;
        const store = redisStore({ client: user.client, prefix });
        prefixes.set(store, prefix);
        return store;
      },
      {
        teardown: async (store) => {
          const prefix = prefixes.get(store);
          prefixes.delete(store);
          if (prefix !== undefined) await deleteByPrefix(admin, prefix);
        },
      },
    );
  });
}
