import autocannon from 'autocannon';
import type { Delivery } from './deliveries.js';

/** What one autocannon run measured. */
export interface LoadResult {
  requests: number;
  /** Mean requests per second over the run. */
  rps: number;
  /** Latency percentiles in ms. */
  p50: number;
  p99: number;
  max: number;
  /** Responses with a 2xx status. */
  ok: number;
  /** Responses with another status, and connection errors or timeouts. */
  failed: number;
  /** Server CPU time (user + system) per answered request, in µs; set by the caller, which can ask the server. */
  cpuMicrosPerRequest?: number;
  /** Responses per status code. */
  statusCodes: Record<string, number>;
}

export interface LoadOptions {
  port: number;
  connections: number;
  durationSec: number;
  /** The `i`-th request of the run (across all connections). */
  request: (i: number) => Delivery;
  timeoutSec?: number;
}

/**
 * One autocannon run against 127.0.0.1. Requests come from `options.request(i)`, numbered across all connections
 * (whichever connection is free takes the next), so a pool of distinct deliveries is never repeated: with a static
 * `requests` list each connection would iterate its own copy and send every delivery `connections` times.
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const { request } = options;
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${options.port}`,
    connections: options.connections,
    pipelining: 1,
    duration: options.durationSec,
    // autocannon checks for the end of a run once per sample: every 100 ms, so a 0.75 s run is not a 1 s one.
    sampleInt: 100,
    timeout: options.timeoutSec ?? 10,
    requests: [
      {
        setupRequest: (defaults) => {
          const delivery = request(next++);
          return { ...defaults, ...delivery, headers: { ...delivery.headers } };
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    rps: result.requests.total / (result.duration || options.durationSec),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    ok: result['2xx'],
    // `errors` includes timeouts.
    failed: result.non2xx + result.errors,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [status, stats.count ?? 0]),
    ),
  };
}
