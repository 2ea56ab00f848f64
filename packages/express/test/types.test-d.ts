import type { KlingFailedEvent, KlingReceiver, KlingSucceededEvent, KlingVideo } from '@kling-webhooks/core';
import express, { type RequestHandler } from 'express';
import { describe, expectTypeOf, it } from 'vitest';
import { type KlingExpressMiddleware, klingWebhooks } from '../src/index.js';

describe('@kling-webhooks/express types', () => {
  it('returns Express middleware carrying the receiver', () => {
    const middleware = klingWebhooks({ path: '/webhooks/kling', verify: 'none' });
    expectTypeOf(middleware).toEqualTypeOf<KlingExpressMiddleware>();
    expectTypeOf(middleware).toExtend<RequestHandler>();
    expectTypeOf(middleware.receiver).toEqualTypeOf<KlingReceiver>();
    express().use(middleware);
  });

  it('types handlers by status', () => {
    const { receiver } = klingWebhooks({ path: '/webhooks/kling', verify: 'none' });
    receiver.on('succeed', (event) => {
      expectTypeOf(event).toEqualTypeOf<KlingSucceededEvent>();
      expectTypeOf(event.videos).toEqualTypeOf<KlingVideo[]>();
    });
    receiver.on('failed', (event) => {
      expectTypeOf(event).toEqualTypeOf<KlingFailedEvent>();
      expectTypeOf(event.message).toEqualTypeOf<string>();
    });
  });

  it('requires verify unless a receiver is given', () => {
    // @ts-expect-error verify is required (write 'none' to opt out)
    klingWebhooks({ path: '/webhooks/kling' });
    // @ts-expect-error path is required
    klingWebhooks({ verify: 'none' });
    const receiver = klingWebhooks({ path: '/a', verify: 'none' }).receiver;
    expectTypeOf(klingWebhooks({ path: '/b', receiver }).receiver).toEqualTypeOf<KlingReceiver>();
  });
});
