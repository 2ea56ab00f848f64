/** What the web and the worker process share: where Redis is, and the queue's name and key prefix. */
export interface QueuedConfig {
  redisUrl: string;
  /** BullMQ queue name (the same in both processes). */
  queueName: string;
  /** Key prefix of the queue (BullMQ) and of the dedupe store. */
  prefix: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): QueuedConfig {
  return {
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    queueName: env.KLING_QUEUE_NAME ?? 'kling-events',
    prefix: env.KLING_PREFIX ?? 'kling-example',
  };
}
