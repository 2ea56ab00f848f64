import { KlingClient, type KlingCreatedTask, signCallbackUrl } from '@kling-webhooks/core';
import { describe, expectTypeOf, it } from 'vitest';

const kling = new KlingClient({ apiKey: 'k' });
const secret = 'a-callback-secret-of-some-length';

describe('createTask body types', () => {
  it('accepts plain bodies of both dialects, and an awaited callback URL', async () => {
    expectTypeOf(
      kling.createTask('videos/text2video', { model_name: 'kling-v2-6', prompt: 'a fox', duration: 5 }),
    ).toEqualTypeOf<Promise<KlingCreatedTask>>();
    const callback_url = await signCallbackUrl('https://app.example.com/k', { secret, externalTaskId: 'o-1' });
    kling.createTask('videos/text2video', { prompt: 'a fox', callback_url, external_task_id: 'o-1' });
    kling.createTask('text-to-video/kling-3.0', {
      contents: [{ type: 'text', text: 'a fox' }],
      options: { callback_url, external_task_id: 'o-1' },
    });
    interface MyBody {
      prompt: string;
      negative_prompt?: string;
    }
    const typed: MyBody = { prompt: 'a fox' };
    kling.createTask('videos/text2video', { ...typed });
  });

  it('refuses a promise where a value belongs (a forgotten await), at the top level and nested', () => {
    kling.createTask('videos/text2video', {
      prompt: 'a fox',
      // @ts-expect-error: signCallbackUrl returns a promise; the body needs the string
      callback_url: signCallbackUrl('https://app.example.com/k', { secret }),
    });
    kling.createTask('text-to-video/kling-3.0', {
      options: {
        // @ts-expect-error: the same mistake under options (new dialect)
        callback_url: signCallbackUrl('https://app.example.com/k', { secret }),
      },
    });
  });
});
