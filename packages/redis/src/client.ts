import { KlingConfigError } from '@kling-webhooks/core';

/** The part of an ioredis client (`Redis` or `Cluster`) the store uses. */
export interface IoRedisLike {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** The part of a node-redis (`redis` package) client the store uses. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/** A client the user created and connected: ioredis or node-redis. The store never closes it. */
export type RedisClientLike = IoRedisLike | NodeRedisLike;

/** Sends one raw command and resolves with Redis's reply. */
export type SendCommand = (args: string[]) => Promise<unknown>;

/**
 * Raw commands through either client, told apart by shape: ioredis has `call(name, ...args)`; node-redis has
 * `sendCommand([name, ...args])` (ioredis has a `sendCommand` too, taking a Command object, so `call` is tested first).
 */
export function commandSender(client: RedisClientLike): SendCommand {
  if (client !== null && typeof client === 'object') {
    if ('call' in client && typeof client.call === 'function') {
      const io = client;
      return ([command, ...args]) => io.call(command as string, ...args);
    }
    if ('sendCommand' in client && typeof client.sendCommand === 'function') {
      const node = client;
      return (args) => node.sendCommand(args);
    }
  }
  throw new KlingConfigError('redisStore: client must be an ioredis or a node-redis (redis package) client');
}
