import type { KlingLogger } from '@kling-webhooks/core';
import type { RedisClientLike } from '@kling-webhooks/redis';
import type { TestClient } from './redis.js';

/** A logger that keeps its lines, per level. */
export function recordingLogger() {
  const lines = { debug: [] as string[], info: [] as string[], warn: [] as string[], error: [] as string[] };
  const logger: KlingLogger = {
    debug: (message) => lines.debug.push(message),
    info: (message) => lines.info.push(message),
    warn: (message) => lines.warn.push(message),
    error: (message) => lines.error.push(message),
  };
  return { logger, lines };
}

/** One raw command the store sent and what Redis answered (or `undefined` while unanswered). */
export interface SentCommand {
  args: string[];
  reply?: unknown;
  failed?: boolean;
}

/**
 * The user's real client seen through the store's eyes: the same raw-command method (`call` for ioredis,
 * `sendCommand` for node-redis) forwarding to the real client, recording each command and its reply.
 * `rewrite` may change a command before it is sent.
 */
export function recordingClient(
  test: TestClient,
  rewrite: (args: string[]) => string[] = (args) => args,
): { client: RedisClientLike; sent: SentCommand[] } {
  const sent: SentCommand[] = [];
  const record = (args: string[], reply: Promise<unknown>) => {
    const entry: SentCommand = { args };
    sent.push(entry);
    reply.then(
      (value) => {
        entry.reply = value;
      },
      () => {
        entry.failed = true;
      },
    );
    return reply;
  };
  const real = test.client;
  if ('call' in real && typeof real.call === 'function') {
    return {
      sent,
      client: {
        call: (command: string, ...rest: string[]) => {
          const args = rewrite([command, ...rest]);
          return record(args, real.call(args[0] as string, ...args.slice(1)));
        },
      },
    };
  }
  const node = real as { sendCommand(args: string[]): Promise<unknown> };
  return {
    sent,
    client: {
      sendCommand: (input: string[]) => {
        const args = rewrite(input);
        return record(args, node.sendCommand(args));
      },
    },
  };
}
