import {
  createKlingReceiver,
  type KlingEventOf,
  type KlingFailedEvent,
  type KlingHandler,
  type KlingHandlerEvent,
  type KlingProcessingEvent,
  type KlingSubmittedEvent,
  type KlingSucceededEvent,
  type KlingTaskEvent,
  type KlingVideo,
} from '@kling-webhooks/core';
import { describe, expectTypeOf, it } from 'vitest';

const receiver = createKlingReceiver({ verify: 'none' });

describe('handler types', () => {
  it('narrows the event to the status subscribed to', () => {
    receiver.on('succeed', (event) => {
      expectTypeOf(event).toEqualTypeOf<KlingSucceededEvent>();
      expectTypeOf(event.status).toEqualTypeOf<'succeed'>();
      expectTypeOf(event.videos).toEqualTypeOf<KlingVideo[]>();
    });
    receiver.on('failed', (event) => {
      expectTypeOf(event).toEqualTypeOf<KlingFailedEvent>();
      expectTypeOf(event.message).toEqualTypeOf<string>();
    });
    receiver.on('submitted', (event) => {
      expectTypeOf(event).toEqualTypeOf<KlingSubmittedEvent>();
    });
    receiver.on('processing', (event) => {
      expectTypeOf(event).toEqualTypeOf<KlingProcessingEvent>();
    });
    receiver.on('*', (event) => {
      expectTypeOf(event).toEqualTypeOf<KlingTaskEvent>();
      expectTypeOf(event.status).toEqualTypeOf<'submitted' | 'processing' | 'succeed' | 'failed' | 'unknown'>();
    });
  });

  it("gives 'succeeded' handlers the 'succeed' event", () => {
    receiver.on('succeeded', (event) => {
      expectTypeOf(event).toEqualTypeOf<KlingSucceededEvent>();
      expectTypeOf(event.status).toEqualTypeOf<'succeed'>();
    });
    receiver.off('succeeded', (_event: KlingSucceededEvent) => {});
    expectTypeOf<KlingEventOf<'succeeded'>>().toEqualTypeOf<KlingSucceededEvent>();
    expectTypeOf<KlingHandlerEvent<'succeeded'>>().toEqualTypeOf<KlingSucceededEvent>();
    // @ts-expect-error a failed-event handler cannot subscribe to succeeded
    receiver.on('succeeded', (_event: KlingFailedEvent) => {});
  });

  it('accepts handlers that return any value or promise', () => {
    receiver.on('succeed', () => 42);
    receiver.on('succeed', (event) => event.videos);
    receiver.on('failed', async (event) => event.message);
    receiver.on('*', () => Promise.resolve({ saved: true }));
    class Service {
      /** A Nest-style method: returns what it stored. */
      async onSucceeded(event: KlingSucceededEvent): Promise<string[]> {
        return event.videos.map((video) => video.url);
      }
    }
    const service = new Service();
    receiver.on('succeeded', (event) => service.onSucceeded(event));
    receiver.on('succeed', service.onSucceeded.bind(service));
    expectTypeOf<KlingHandler<'succeed'>>().returns.toEqualTypeOf<unknown>();
  });

  it('accepts sync and async handlers and refuses a mismatched one', () => {
    receiver.on('succeed', async () => {});
    // @ts-expect-error a failed-event handler cannot subscribe to succeed
    receiver.on('succeed', (_event: KlingFailedEvent) => {});
    // @ts-expect-error not a status
    receiver.on('done', () => {});
    expectTypeOf(receiver.on('failed', () => {})).toEqualTypeOf(receiver);
  });

  it('types handle and process', () => {
    expectTypeOf(receiver.handle).returns.resolves.toMatchTypeOf<{
      status: number;
      headers: Record<string, string>;
      body: string;
    }>();
    expectTypeOf<'processed' | 'duplicate' | 'in-flight' | 'superseded'>().toExtend<
      Awaited<ReturnType<typeof receiver.process>>
    >();
  });
});
