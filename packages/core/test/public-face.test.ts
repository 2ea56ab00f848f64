import * as core from '@kling-webhooks/core';
import * as adapter from '@kling-webhooks/core/adapter';
import { describe, expect, it } from 'vitest';

// What apps call. Anything else that core shares with adapters, stores or tests lives in `@kling-webhooks/core/adapter`.
const USER_API = [
  'KlingApiError',
  'KlingClient',
  'KlingConfigError',
  'KlingHandlerError',
  'KlingHttpError',
  'KlingQueueError',
  'KlingStoreError',
  'KlingTaskNotFoundError',
  'KlingTimeoutError',
  'KlingValidationError',
  'KlingWebhookError',
  'callbackToken',
  'consoleLogger',
  'createKlingReceiver',
  'createReconciler',
  'hmacSignature',
  'isTerminalStatus',
  'klingIdempotencyKey',
  'klingSignature',
  'memoryStore',
  'normalize',
  'normalizeMany',
  'signBody',
  'signCallbackUrl',
  'signKlingWebhook',
  'silentLogger',
];

describe('public face of @kling-webhooks/core', () => {
  it('exports exactly the user API at its root', () => {
    expect(Object.keys(core).sort()).toEqual(USER_API);
  });

  it('keeps adapter helpers and body schemas behind @kling-webhooks/core/adapter, not at the root', () => {
    const helpers = ['takeArrivedBody', 'withBodyDeadline', 'createVerification', 'parseJson', 'storeKeys'];
    for (const name of helpers) {
      expect(adapter).toHaveProperty(name);
      expect(core).not.toHaveProperty(name);
    }
    const schemas = Object.keys(adapter).filter((name) => name.endsWith('Schema'));
    expect(schemas.length).toBeGreaterThan(5);
    for (const name of schemas) expect(core).not.toHaveProperty(name);
  });
});
