import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchSecrets } from './deliveries.js';
import type { BenchMessage, Framework, RouteName, ServerMessage } from './routes.js';

const MAIN = fileURLToPath(new URL('./server/main.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;

/** A server under test running in its own process. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  /** Starts `framework` with `routes` and waits until it listens. */
  static start(
    framework: Framework,
    routes: readonly RouteName[],
    secrets: BenchSecrets,
    env: Record<string, string> = {},
  ): Promise<ServerProcess> {
    // BENCH_CPU_PROF=<dir> writes a CPU profile of each server process there (`node --cpu-prof`).
    const profile = process.env.BENCH_CPU_PROF;
    const child = fork(MAIN, [framework, ...routes], {
      execArgv: profile
        ? ['--cpu-prof', `--cpu-prof-dir=${profile}`, `--cpu-prof-name=${framework}-${routes.join('-')}.cpuprofile`]
        : [],
      env: { ...process.env, ...env, BENCH_SECRETS: JSON.stringify(secrets) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`${framework} server did not start within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${framework} server exited with code ${code} before it listened`));
      });
      child.once('message', (message: ServerMessage) => {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        if (message.type === 'ready') resolve(new ServerProcess(child, message.port));
        else reject(new Error(`${framework} server failed: ${message.type === 'error' ? message.message : ''}`));
      });
    });
  }

  /** Handler calls per route so far, and the process's RSS. */
  stats(): Promise<Extract<ServerMessage, { type: 'stats' }>> {
    return new Promise((resolve) => {
      this.child.once('message', (message: ServerMessage) => {
        if (message.type === 'stats') resolve(message);
      });
      this.send({ type: 'stats' });
    });
  }

  /** Stops the process (it deletes its Redis keys first). */
  close(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.send({ type: 'close' });
    });
  }

  private send(message: BenchMessage): void {
    this.child.send(message);
  }
}
