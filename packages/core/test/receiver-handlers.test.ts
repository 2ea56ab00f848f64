import {
  createKlingReceiver,
  KlingConfigError,
  KlingHandlerError,
  type KlingTaskEvent,
  klingSignature,
} from '@kling-webhooks/core';
import { describe, expect, it } from 'vitest';
import { captureLogger, legacyBody, SECRET, signedRequest, taskId } from './receiver-fixtures.js';

function makeReceiver() {
  const receiver = createKlingReceiver({ verify: klingSignature({ secrets: [SECRET] }), logger: captureLogger() });
  const errors: unknown[] = [];
  receiver.onError((error) => errors.push(error));
  return { receiver, errors };
}

describe('receiver handlers', () => {
  it("runs every handler of the status and every '*' handler even when some throw, and reports each failure", async () => {
    const { receiver, errors } = makeReceiver();
    const ran: string[] = [];
    receiver
      .on('succeed', () => {
        ran.push('sync-throws');
        throw new Error('one');
      })
      .on('succeed', async () => {
        ran.push('async-rejects');
        throw new Error('two');
      })
      .on('succeed', async () => {
        ran.push('async-ok');
      })
      .on('*', () => {
        ran.push('star');
      })
      .on('failed', () => {
        ran.push('other-status');
      });
    const response = await receiver.handle(signedRequest(legacyBody(taskId(), 'succeed')));
    expect(response.status).toBe(500);
    expect(ran).toEqual(['sync-throws', 'async-rejects', 'async-ok', 'star']);
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => e instanceof KlingHandlerError)).toBe(true);
    expect(errors.map((e) => ((e as KlingHandlerError).cause as Error).message).sort()).toEqual(['one', 'two']);
  });

  it('off() removes a handler and on() returns the receiver for chaining', async () => {
    const { receiver } = makeReceiver();
    const seen: string[] = [];
    const a = (event: KlingTaskEvent) => {
      seen.push(`a:${event.status}`);
    };
    const b = () => {
      seen.push('b');
    };
    expect(receiver.on('*', a).on('processing', b)).toBe(receiver);
    await receiver.handle(signedRequest(legacyBody(taskId(), 'processing')));
    expect(receiver.off('*', a)).toBe(receiver);
    await receiver.handle(signedRequest(legacyBody(taskId(), 'processing')));
    receiver.off('processing', b);
    await receiver.handle(signedRequest(legacyBody(taskId(), 'processing')));
    expect(seen).toEqual(['b', 'a:processing', 'b']);
  });

  it('a handler added during a dispatch does not run for that event', async () => {
    const { receiver } = makeReceiver();
    const seen: string[] = [];
    receiver.on('submitted', () => {
      seen.push('first');
      receiver.on('submitted', () => {
        seen.push('late');
      });
    });
    await receiver.handle(signedRequest(legacyBody(taskId(), 'submitted')));
    expect(seen).toEqual(['first']);
  });

  it('an onError listener that throws does not stop the others or the answer', async () => {
    const { receiver, errors } = makeReceiver();
    receiver.onError(() => {
      throw new Error('listener bug');
    });
    receiver.on('failed', () => {
      throw new Error('handler bug');
    });
    const response = await receiver.handle(signedRequest(legacyBody(taskId(), 'failed')));
    expect(response.status).toBe(500);
    expect(errors).toHaveLength(1);
  });

  it('rejects an unknown status or a non-function handler with KlingConfigError', () => {
    const { receiver } = makeReceiver();
    expect(() => receiver.on('done' as never, () => {})).toThrow(KlingConfigError);
    expect(() => receiver.on('succeed', 'nope' as never)).toThrow(KlingConfigError);
    expect(() => receiver.onError(undefined as never)).toThrow(KlingConfigError);
  });
});
