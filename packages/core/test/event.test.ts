import { isTerminalStatus, klingTaskEventSchema } from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';

describe('event schema', () => {
  const base = {
    taskId: '867283741759111202',
    rawStatus: 'succeeded',
    message: '',
    videos: [{ id: 'v-1', url: 'https://cdn.example.com/v.mp4', duration: 5.1 }],
    images: [],
    audios: [],
    outputs: [],
    dialect: 'new',
    raw: {},
    source: 'callback',
  };

  it('accepts a normalized event and keeps its status as the discriminant', () => {
    const event = klingTaskEventSchema.parse({ ...base, status: 'succeed' });
    expect(event.status).toBe('succeed');
    expect(event.videos[0]?.duration).toBe(5.1);
  });

  it('rejects a status outside the union', () => {
    expect(klingTaskEventSchema.safeParse({ ...base, status: 'succeeded' }).success).toBe(false);
  });

  it('treats only succeed and failed as terminal', () => {
    expect(
      ['submitted', 'processing', 'succeed', 'failed', 'unknown'].filter((s) => isTerminalStatus(s as never)),
    ).toEqual(['succeed', 'failed']);
  });
});
