/** The command that installs a Redis server on Debian and Ubuntu. */
export declare const INSTALL_REDIS: string;

/** Thrown when no Redis answers and none can be started; `message` says what to run. */
export declare class RedisUnavailableError extends Error {
  code: 'REDIS_UNAVAILABLE';
}

/** A Redis for a test run, and how to let it go. */
export interface EnsuredRedis {
  /** Where it answers. */
  url: string;
  /** Whether this run started it (a throwaway `redis-server`). */
  started: boolean;
  /** Stops the server this run started; does nothing otherwise. */
  stop(): Promise<void>;
}

/** Whether anything answers a PING at `url` within `timeoutMs`. */
export declare function redisAnswers(url: string, timeoutMs?: number): Promise<boolean>;

/** The Redis at `url` when one answers, else a `redis-server` from `env.PATH` on a free port. */
export declare function ensureRedis(options?: {
  url?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}): Promise<EnsuredRedis>;
