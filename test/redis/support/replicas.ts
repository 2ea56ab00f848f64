import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type KlingWebhookHeaders, signKlingWebhook } from '@kling-webhooks/core';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/receiver-process.mjs', import.meta.url));

/** What a replica process is told at start. */
export interface ReplicaConfig {
  client: 'ioredis' | 'node-redis';
  /** Where its store connects (Redis, or the test's proxy in front of it). */
  storeUrl: string;
  /** Where its handlers count (always Redis itself). */
  countUrl: string;
  prefix: string;
  countKey: string;
  secret: string;
  leaseMs: number;
  /** Must be under `leaseMs` (the receiver checks it). */
  ackTimeoutMs: number;
  commandTimeoutMs: number;
  /** Handlers never return (the crash proof). */
  hang?: boolean;
}

interface Message {
  type: 'ready' | 'handled' | 'hanging' | 'log';
  port?: number;
  taskId?: string;
  level?: string;
  message?: string;
}

/** A receiver in its own Node process, over real HTTP. */
export interface Replica {
  readonly url: string;
  readonly child: ChildProcess;
  readonly messages: Message[];
  /** Resolves with the first message of `type` (already received or to come). */
  next(type: Message['type'], timeoutMs?: number): Promise<Message>;
  logs(level: string): string[];
  stop(): Promise<void>;
}

/** The built packages the replicas import; fails with the command to run when they are missing. */
export function assertBuilt(packages: readonly string[] = ['core', 'redis']): void {
  for (const pkg of packages) {
    const dist = join(root, 'packages', pkg, 'dist', 'index.js');
    if (!existsSync(dist)) {
      throw new Error(
        `${dist} is missing: run ${packages.map((name) => `pnpm --filter @kling-webhooks/${name} build`).join(' && ')}`,
      );
    }
    const built = statSync(dist).mtimeMs;
    const src = join(root, 'packages', pkg, 'src');
    const stale = readdirSync(src, { recursive: true, encoding: 'utf8' }).some(
      (file) => file.endsWith('.ts') && statSync(join(src, file)).mtimeMs > built,
    );
    if (stale)
      console.warn(`[redis proofs] packages/${pkg}/dist is older than its sources: the replicas run the build`);
  }
}

export async function startReplica(config: ReplicaConfig): Promise<Replica> {
  const child = fork(fixture, [], {
    env: { ...process.env, KLING_TEST_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: Message[] = [];
  const waiters: Array<() => void> = [];
  child.on('message', (message: Message) => {
    messages.push(message);
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const next = (type: Message['type'], timeoutMs = 10_000): Promise<Message> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`replica sent no "${type}" within ${timeoutMs} ms`)), timeoutMs);
      const look = () => {
        const found = messages.find((m) => m.type === type);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`replica exited before sending "${type}"`));
        } else {
          waiters.push(look);
        }
      };
      child.once('exit', () => {
        for (const wake of waiters.splice(0)) wake();
      });
      look();
    });

  const ready = await next('ready');
  return {
    url: `http://127.0.0.1:${ready.port}/webhooks/kling`,
    child,
    messages,
    next,
    logs: (level) => messages.filter((m) => m.type === 'log' && m.level === level).map((m) => m.message ?? ''),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A Kling callback for one task state, signed like Kling signs it (the same id and signature on every copy). */
export interface Delivery {
  taskId: string;
  body: string;
  headers: KlingWebhookHeaders & { 'content-type': string };
}

export function delivery(taskId: string, secret: string, status = 'succeed'): Delivery {
  const body = JSON.stringify({
    task_id: taskId,
    task_status: status,
    task_status_msg: '',
    created_at: 1774805076166,
    updated_at: 1774805190123,
    task_result: { videos: [{ id: `v-${taskId}`, url: 'https://cdn.example.com/v.mp4', duration: '5.1' }] },
  });
  return {
    taskId,
    body,
    headers: { 'content-type': 'application/json', ...signKlingWebhook({ secret, body }) },
  };
}

/** One POST; the answer's status, Retry-After (s) and parsed body. */
export async function post(url: string, d: Delivery) {
  const response = await fetch(url, { method: 'POST', headers: d.headers, body: d.body });
  const text = await response.text();
  return {
    status: response.status,
    retryAfterSec: Number(response.headers.get('retry-after') ?? 0),
    body: (text ? JSON.parse(text) : {}) as { ok?: boolean; duplicate?: boolean; error?: string },
  };
}
