import type { IncomingHttpHeaders } from 'node:http';
import type { BenchSecrets } from '../deliveries.js';
import type { HandWrittenRoute } from '../routes.js';
import { mapDedupe, redisDedupe } from './dedupe.js';
import { floorRoute } from './floor.js';
import type { Outcome } from './outcome.js';
import { peerRoute } from './peer.js';
import { handlerOf, REDIS_TTL_MS, redisClient, redisPrefix } from './receivers.js';

/** The body limit of the hand-written routes: the same 1 MiB as ours. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * What a hand-written route does once its framework has the body (`parsed`: the body the platform already parsed,
 * which the floor uses rather than parsing it again).
 */
export type HandWrittenHandler = (
  headers: IncomingHttpHeaders,
  body: string | Buffer,
  parsed?: unknown,
) => Outcome | Promise<Outcome>;

/** The framework-independent part of a hand-written route; its handler calls are counted like ours. */
export function handWritten(route: HandWrittenRoute, secrets: BenchSecrets): HandWrittenHandler {
  const handler = handlerOf(route);
  switch (route) {
    case 'peer': {
      const peer = peerRoute(secrets.webhook, handler);
      return (headers, body) => peer(headers, body);
    }
    case 'floor':
      return floorRoute(secrets.webhook, mapDedupe(), handler);
    case 'redis-floor':
      return floorRoute(secrets.webhook, redisDedupe(redisClient(), `${redisPrefix}floor:`, REDIS_TTL_MS), handler);
  }
}
