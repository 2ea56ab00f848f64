import { isTerminalStatus } from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';

describe('event statuses', () => {
  it('treats only succeed and failed as terminal', () => {
    expect(
      ['submitted', 'processing', 'succeed', 'failed', 'unknown'].filter((s) => isTerminalStatus(s as never)),
    ).toEqual(['succeed', 'failed']);
  });
});
