import type { KlingFailedEvent, KlingReceiver, KlingSucceededEvent, KlingVideo } from '@kling-webhooks/core';
import Fastify from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';
import { klingWebhooks } from '../src/index.js';

describe('@kling-webhooks/fastify types', () => {
  it('declares app.kling as the receiver', async () => {
    const app = Fastify();
    await app.register(klingWebhooks, { path: '/webhooks/kling', verify: 'none' });
    expectTypeOf(app.kling).toEqualTypeOf<KlingReceiver>();
  });

  it('types handlers by status', () => {
    const app = Fastify();
    app.kling.on('succeed', (event) => {
      expectTypeOf(event).toEqualTypeOf<KlingSucceededEvent>();
      expectTypeOf(event.videos).toEqualTypeOf<KlingVideo[]>();
    });
    app.kling.on('failed', (event) => {
      expectTypeOf(event).toEqualTypeOf<KlingFailedEvent>();
      expectTypeOf(event.message).toEqualTypeOf<string>();
    });
  });

  it('checks the plugin options', async () => {
    const app = Fastify();
    // @ts-expect-error path is required
    await app.register(klingWebhooks, { verify: 'none' });
    // @ts-expect-error verify is required (write 'none' to opt out)
    await app.register(klingWebhooks, { path: '/webhooks/kling' });
  });
});
