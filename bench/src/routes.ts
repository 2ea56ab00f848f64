import type { Auth } from './deliveries.js';

/**
 * What a measured route is: the framework's bare route, ours with one verifier and one store, or a hand-written route
 * to compare ours with: `peer` is what a user writes with the reference libraries (`standardwebhooks`, zod, a `Map`),
 * `floor` the least a verified, deduped route can do (one HMAC, `JSON.parse`, a `Map`), `redis-floor` the same with
 * one `SET NX PX` in Redis instead of the `Map`. `queued` is the Redis route with a BullMQ queue: each event is stored
 * as a job and answered, no handler runs in the request (no worker runs during the bench; the jobs are dropped between
 * runs). The breakdown adds
 * Fastify routes that each do one step more: `raw` takes the body and answers like ours without the receiver,
 * `pipeline` is ours with `verify: 'none'` and a store that keeps nothing, `memory` adds the memory store, `sha256`
 * adds one SHA-256 of the body (a function verifier), and `signature` is the real thing.
 */
export type RouteName =
  | 'bare'
  | 'signature'
  | 'token'
  | 'redis'
  | 'queued'
  | 'slow'
  | 'raw'
  | 'pipeline'
  | 'memory'
  | 'sha256'
  | 'peer'
  | 'floor'
  | 'redis-floor';

/** The hand-written routes ours is compared with (they call a handler and dedupe, so their answers are checked too). */
export type HandWrittenRoute = 'peer' | 'floor' | 'redis-floor';

/** Our routes: every one but the framework's bare route, the receiver-less raw route and the hand-written ones. */
export type OurRoute = Exclude<RouteName, 'bare' | 'raw' | HandWrittenRoute>;

/** Whether `route` is one of ours (a receiver from this repo). */
export function isOurs(route: RouteName): route is OurRoute {
  return route !== 'bare' && route !== 'raw' && !isHandWritten(route);
}

/** Whether `route` is one of the hand-written comparison routes. */
export function isHandWritten(route: RouteName): route is HandWrittenRoute {
  return route === 'peer' || route === 'floor' || route === 'redis-floor';
}

/** A route the load generator can target. */
export interface RouteSpec {
  name: RouteName;
  /** URL path on the server under test. */
  path: string;
  /** How its requests are signed (the bare route gets the same signed requests and ignores the signature). */
  auth: Auth;
}

export const ROUTES: Readonly<Record<RouteName, RouteSpec>> = {
  bare: { name: 'bare', path: '/bare', auth: 'signature' },
  signature: { name: 'signature', path: '/kling/signature', auth: 'signature' },
  token: { name: 'token', path: '/kling/token', auth: 'token' },
  redis: { name: 'redis', path: '/kling/redis', auth: 'signature' },
  queued: { name: 'queued', path: '/kling/queued', auth: 'signature' },
  slow: { name: 'slow', path: '/kling/slow', auth: 'signature' },
  raw: { name: 'raw', path: '/raw', auth: 'signature' },
  pipeline: { name: 'pipeline', path: '/kling/pipeline', auth: 'signature' },
  memory: { name: 'memory', path: '/kling/memory', auth: 'signature' },
  sha256: { name: 'sha256', path: '/kling/sha256', auth: 'signature' },
  peer: { name: 'peer', path: '/peer', auth: 'signature' },
  floor: { name: 'floor', path: '/floor', auth: 'signature' },
  'redis-floor': { name: 'redis-floor', path: '/floor/redis', auth: 'signature' },
};

/** The frameworks a server process can run. */
export type Framework = 'express' | 'fastify' | 'nest-express' | 'nest-fastify';

/** Messages between the bench and a server process. */
export type ServerMessage =
  | { type: 'ready'; port: number }
  | {
      type: 'stats';
      dispatched: Partial<Record<RouteName, number>>;
      rssBytes: number;
      /** User + system CPU time of the server process so far, in µs. */
      cpuMicros: number;
    }
  | { type: 'error'; message: string };

export type BenchMessage = { type: 'stats' } | { type: 'close' };
