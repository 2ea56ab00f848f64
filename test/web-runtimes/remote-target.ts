import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KlingTaskEvent } from '@kling-webhooks/core';
import { afterAll } from 'vitest';
import { HMAC_SECRET, legacyBody, send, TOKEN_SECRET, taskId, WEBHOOK_SECRET } from '../conformance/support.js';
import type { ConformanceApp, ConformanceHandlers, ConformanceTarget } from '../conformance/target.js';
import type { FixtureAppConfig } from './fixture/app.js';

/** A runtime serving the fixture (fixture/app.ts): where it listens, and how to stop it. */
export interface RuntimeServer {
  /** Base URL under which the fixture answers, no trailing slash. */
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Receives the events the fixture's handlers forward and runs the suite's handlers on them: 204 when the handler
 * returned, 500 when it threw (the fixture's handler then throws too).
 */
export async function startBridge(handlers: ConformanceHandlers): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { name, event } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      name: keyof ConformanceHandlers;
      event: KlingTaskEvent;
    };
    try {
      await handlers[name]?.(event);
      res.writeHead(204).end();
    } catch {
      res.writeHead(500).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A conformance target served by another runtime. The runtime is started once, on first use, and stopped after the
 * test file; each `start` creates a fresh app in it (its own receiver and memory store) with the suite's secrets and
 * limits. The suite's verify option, store and logger cannot cross the process boundary: starting with a store or a
 * logger fails.
 */
export function remoteTarget(name: string, startRuntime: () => Promise<RuntimeServer>): ConformanceTarget {
  let runtime: Promise<RuntimeServer> | undefined;
  afterAll(async () => {
    await (await runtime)?.stop();
  });
  return {
    name,
    async start(options): Promise<ConformanceApp> {
      if (options.store !== undefined || options.logger !== undefined) {
        throw new Error(`${name}: a store or logger cannot be handed to another runtime`);
      }
      runtime ??= startRuntime().then(warmedUp);
      const { baseUrl } = await runtime;
      const bridge = await startBridge(options.handlers);
      const appUrl = await createRemoteApp(baseUrl, {
        ackTimeoutMs: options.ackTimeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        bodyTimeoutMs: options.bodyTimeoutMs,
        bridge: bridge.url,
      });
      return { baseUrl: appUrl, close: () => bridge.close() };
    },
  };
}

/**
 * The runtime after one signed callback through a throwaway app: a fresh isolate compiles the schemas, imports the
 * keys and opens its first connection to a bridge on its first callback, which under a loaded CI machine could
 * outlast the suite's 300 ms ack budget and turn the first case's 200 into a 202. The cases then measure a warm
 * runtime, as a server that has been up for a while is.
 */
async function warmedUp(server: RuntimeServer): Promise<RuntimeServer> {
  const bridge = await startBridge({});
  try {
    const appUrl = await createRemoteApp(server.baseUrl, { bridge: bridge.url });
    const { status } = await send(appUrl, legacyBody(taskId(), 'succeed'));
    if (status !== 200 && status !== 202)
      throw new Error(`warming up ${server.baseUrl}: a valid callback answered ${status}`);
  } finally {
    await bridge.close();
  }
  return server;
}

/** Creates an app in a running fixture with the suite's secrets and `config`; resolves with the app's base URL. */
export async function createRemoteApp(
  baseUrl: string,
  config: Omit<FixtureAppConfig, 'webhookSecret' | 'tokenSecret' | 'hmacSecret'>,
): Promise<string> {
  const full: FixtureAppConfig = {
    webhookSecret: WEBHOOK_SECRET,
    tokenSecret: TOKEN_SECRET,
    hmacSecret: HMAC_SECRET,
    ...config,
  };
  const created = await fetch(`${baseUrl}/__apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(full),
  });
  if (created.status !== 201) throw new Error(`creating an app at ${baseUrl} answered ${created.status}`);
  const { id } = (await created.json()) as { id: string };
  return `${baseUrl}/apps/${id}`;
}

/**
 * Starts `command` and resolves once it prints `listening <port>`; rejects with its output if it exits first or
 * does not listen within `timeoutMs` (a runtime that cannot start is a failure, not a skip).
 */
export async function spawnListening(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; pattern?: RegExp },
): Promise<RuntimeServer> {
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const pattern = options.pattern ?? /listening (\d+)/;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not listen within ${options.timeoutMs ?? 30_000} ms:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = pattern.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code ?? signal}) before listening:\n${output}`));
    });
    child.once('error', reject);
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const exited = once(child, 'exit');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
