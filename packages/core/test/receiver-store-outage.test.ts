import {
  createKlingReceiver,
  type KlingStore,
  KlingStoreError,
  klingSignature,
  memoryStore,
} from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';
import { captureLogger, legacyBody, SECRET, signedRequest, taskId } from './receiver-fixtures.js';

describe('receiver.handle: a store outage is logged once', () => {
  it('logs one error when claims start failing and one info when they work again, not one per request', async () => {
    const store = memoryStore();
    let down = false;
    const flaky: KlingStore = {
      ...store,
      claim: (key, options) => (down ? Promise.reject(new KlingStoreError('redis down')) : store.claim(key, options)),
    };
    const logger = captureLogger();
    const receiver = createKlingReceiver({ verify: klingSignature({ secrets: [SECRET] }), store: flaky, logger });
    receiver.on('*', () => {});
    const deliver = async () => (await receiver.handle(signedRequest(legacyBody(taskId(), 'succeed')))).status;

    down = true;
    const during = [await deliver(), await deliver(), await deliver(), await deliver()];
    expect(during).toEqual([503, 503, 503, 503]);
    expect(logger.at('error')).toHaveLength(1);
    expect(logger.at('error')[0]).toContain('store claim failed');

    down = false;
    expect([await deliver(), await deliver()]).toEqual([200, 200]);
    expect(logger.at('info').filter((line) => line.includes('store answers again'))).toHaveLength(1);

    down = true; // a second outage is a new story: one more error line
    expect(await deliver()).toBe(503);
    expect(logger.at('error')).toHaveLength(2);
  });
});
