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

type Settle = (value: unknown) => void;

/** A thenable that is not a Promise, as some libraries return. */
function thenable(run: (resolve: Settle, reject: Settle) => void): object {
  // biome-ignore lint/suspicious/noThenProperty: the point is a non-Promise thenable.
  return { then: (resolve: Settle, reject: Settle) => run(resolve, reject) };
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

  it("'succeeded' names the same handlers as 'succeed', for bodies of both dialects", async () => {
    const { receiver } = makeReceiver();
    const seen: string[] = [];
    const viaAlias = (event: KlingTaskEvent) => {
      seen.push(`alias:${event.dialect}:${event.rawStatus}`);
    };
    receiver.on('succeeded', viaAlias).on('succeed', (event) => {
      seen.push(`legacy-name:${event.dialect}`);
    });
    const newBody = (id: string) => JSON.stringify({ id, status: 'succeeded', outputs: [] });
    expect((await receiver.handle(signedRequest(legacyBody(taskId(), 'succeed')))).status).toBe(200);
    expect((await receiver.handle(signedRequest(newBody(taskId())))).status).toBe(200);
    expect(seen).toEqual(['alias:legacy:succeed', 'legacy-name:legacy', 'alias:new:succeeded', 'legacy-name:new']);
    // Removed under the other spelling: one list.
    receiver.off('succeed', viaAlias);
    await receiver.handle(signedRequest(newBody(taskId())));
    expect(seen.slice(4)).toEqual(['legacy-name:new']);
  });

  it('ignores what a handler returns, awaiting a promise of it', async () => {
    const { receiver, errors } = makeReceiver();
    const ran: string[] = [];
    receiver
      .on('succeed', () => {
        ran.push('value');
        return { saved: true };
      })
      .on('succeed', async () => {
        ran.push('promise');
        return 42;
      })
      .on('succeed', () => {
        ran.push('false');
        return false;
      })
      .on('succeed', () => thenable((resolve) => resolve('thenable')));
    const response = await receiver.handle(signedRequest(legacyBody(taskId(), 'succeed')));
    expect(response.status).toBe(200);
    expect(ran).toEqual(['value', 'promise', 'false']);
    expect(errors).toEqual([]);
  });

  it('fails the delivery when a returned thenable rejects', async () => {
    const { receiver, errors } = makeReceiver();
    receiver.on('succeed', () => thenable((_, reject) => reject(new Error('no'))));
    const response = await receiver.handle(signedRequest(legacyBody(taskId(), 'succeed')));
    expect(response.status).toBe(500);
    expect(errors).toHaveLength(1);
  });
});
