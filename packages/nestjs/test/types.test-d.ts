import type { KlingFailedEvent, KlingSucceededEvent, KlingTaskEvent, KlingVideo } from '@kling-webhooks/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type KlingHandlerMethod,
  KlingModule,
  type KlingModuleAsyncOptions,
  type KlingModuleForRootOptions,
  OnKlingEvent,
  OnKlingFailed,
  OnKlingSucceeded,
} from '../src/index.js';

describe('decorator types', () => {
  it('gives a succeed method `videos` and a failed method `message`', () => {
    expectTypeOf<Parameters<KlingHandlerMethod<'succeed'>>[0]>().toEqualTypeOf<KlingSucceededEvent>();
    expectTypeOf<Parameters<KlingHandlerMethod<'succeed'>>[0]['videos']>().toEqualTypeOf<KlingVideo[]>();
    expectTypeOf<Parameters<KlingHandlerMethod<'failed'>>[0]>().toEqualTypeOf<KlingFailedEvent>();
    expectTypeOf<Parameters<KlingHandlerMethod<'failed'>>[0]['message']>().toEqualTypeOf<string>();
    expectTypeOf<Parameters<KlingHandlerMethod<'*'>>[0]>().toEqualTypeOf<KlingTaskEvent>();
  });

  it('accepts methods taking their status event (or a wider one) and rejects the wrong event', () => {
    class Handlers {
      @OnKlingSucceeded()
      saved(event: KlingSucceededEvent): void {
        expectTypeOf(event.videos).toEqualTypeOf<KlingVideo[]>();
      }

      @OnKlingFailed()
      async failed(event: KlingFailedEvent): Promise<void> {
        expectTypeOf(event.message).toEqualTypeOf<string>();
      }

      @OnKlingEvent('*')
      @OnKlingEvent('processing')
      any(event: KlingTaskEvent): void {
        expectTypeOf(event).toEqualTypeOf<KlingTaskEvent>();
      }

      // @ts-expect-error a succeed handler does not get a failed event
      @OnKlingSucceeded()
      wrong(event: KlingFailedEvent): void {
        expectTypeOf(event).toEqualTypeOf<KlingFailedEvent>();
      }

      // @ts-expect-error a '*' handler gets every event, not only succeeded ones
      @OnKlingEvent('*')
      tooNarrow(event: KlingSucceededEvent): void {
        expectTypeOf(event).toEqualTypeOf<KlingSucceededEvent>();
      }
    }
    expectTypeOf<Handlers>().toHaveProperty('saved');
  });

  it('types forRoot and forRootAsync options', () => {
    expectTypeOf<KlingModuleForRootOptions>().toHaveProperty('path').toEqualTypeOf<string>();
    expectTypeOf<KlingModuleForRootOptions>().toHaveProperty('isGlobal');
    expectTypeOf<KlingModuleAsyncOptions>().toHaveProperty('useFactory');
    expectTypeOf<KlingModuleForRootOptions>().toHaveProperty('queue');
    expectTypeOf<KlingModuleForRootOptions>().toHaveProperty('worker');
    // @ts-expect-error `worker` is a function of the receiver, not a worker
    KlingModule.forRoot({ path: '/webhooks/kling', verify: 'none', worker: { close: async () => {} } });
    // @ts-expect-error `verify` is required
    KlingModule.forRoot({ path: '/webhooks/kling' });
    // @ts-expect-error `status` must be a Kling status or '*'
    OnKlingEvent('done');
  });
});
