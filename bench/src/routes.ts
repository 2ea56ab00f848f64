import type { Auth } from './deliveries.js';

/** What a measured route is: the framework's bare route, or ours with one verifier and one store. */
export type RouteName = 'bare' | 'signature' | 'token' | 'redis' | 'slow';

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
