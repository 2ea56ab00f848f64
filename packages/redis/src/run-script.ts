import { KlingStoreError } from '@kling-webhooks/core';
import type { SendCommand } from './client.js';
import { describeFailure, type OutageLog } from './outage.js';
import type { LuaScript } from './scripts.js';

/**
 * Called when a command timed out, with its reply still to come: the command may yet run on the server (clients
 * queue commands while reconnecting). The callback must handle the promise's rejection.
 */
export type OnTimeout = (reply: Promise<unknown>) => void;

/** Runs a Lua script in one round trip (two the first time a server sees it), within the command timeout. */
export type ScriptRunner = (
  script: LuaScript,
  keys: string[],
  args: string[],
  onTimeout?: OnTimeout,
) => Promise<unknown>;

class CommandTimeout extends KlingStoreError {
  constructor(timeoutMs: number) {
    super(`redis did not answer within ${timeoutMs} ms`);
  }
}

const ignore = (): void => {};

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** Resolves with `reply` unless `deadline` passes first; then the still pending reply goes to `onTimeout`. */
async function within(reply: Promise<unknown>, deadline: number, timeoutMs: number, onTimeout?: OnTimeout) {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CommandTimeout(timeoutMs)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([reply, timedOut]);
  } catch (error) {
    if (error instanceof CommandTimeout) {
      if (onTimeout) onTimeout(reply);
      else reply.catch(ignore);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** EVALSHA with a fallback to EVAL on NOSCRIPT; every failure becomes a `KlingStoreError` and feeds the outage log. */
export function scriptRunner(send: SendCommand, timeoutMs: number, outage: OutageLog): ScriptRunner {
  return async (script, keys, args, onTimeout) => {
    const deadline = Date.now() + timeoutMs;
    const tail = [String(keys.length), ...keys, ...args];
    try {
      let reply: unknown;
      try {
        reply = await within(send(['EVALSHA', script.sha, ...tail]), deadline, timeoutMs, onTimeout);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        reply = await within(send(['EVAL', script.source, ...tail]), deadline, timeoutMs, onTimeout);
      }
      outage.succeeded();
      return reply;
    } catch (error) {
      outage.failed(error);
      if (error instanceof KlingStoreError) throw error;
      throw new KlingStoreError(`redis command failed (${describeFailure(error)})`, { cause: error });
    }
  };
}
