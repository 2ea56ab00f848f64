import type { Auth } from './deliveries.js';

/**
 * What a measured route is: the framework's bare route, or ours with one verifier and one store. The breakdown adds
 * Fastify routes that each do one step more: `raw` takes the body and answers like ours without the receiver,
 * `pipeline` is ours with `verify: 'none'` and a store that keeps nothing, `memory` adds the memory store, `sha256`
 * adds one SHA-256 of the body (a function verifier), and `signature` is the real thing.
 */
export type RouteName = 'bare' | 'signature' | 'token' | 'redis' | 'slow' | 'raw' | 'pipeline' | 'memory' | 'sha256';

/** Our routes: every one but the framework's bare route and the receiver-less raw route. */
export type OurRoute = Exclude<RouteName, 'bare' | 'raw'>;

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
  slow: { name: 'slow', path: '/kling/slow', auth: 'signature' },
  raw: { name: 'raw', path: '/raw', auth: 'signature' },
  pipeline: { name: 'pipeline', path: '/kling/pipeline', auth: 'signature' },
  memory: { name: 'memory', path: '/kling/memory', auth: 'signature' },
  sha256: { name: 'sha256', path: '/kling/sha256', auth: 'signature' },
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
