import { type ChildProcess, spawn } from 'node:child_process';

/** A running child process whose output is collected, stdout and stderr together. */
export interface RunningChild {
  process: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output so far or to come; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (the signal's name when killed). */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

/** Starts `node <script> ...args` in `cwd` with exactly `env`. */
export function startNode(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[] = [],
): RunningChild {
  const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
      for (const listener of listeners) listener();
    });
  });

  return {
    process: child,
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`timed out waiting for ${pattern}; output:\n${output}`)),
          timeoutMs,
        );
        const check = () => {
          const match = output.match(pattern);
          if (match) finish(undefined, match);
          else if (child.exitCode !== null || child.signalCode !== null) {
            finish(new Error(`exited before printing ${pattern}; output:\n${output}`));
          }
        };
        function finish(error: Error | undefined, match?: RegExpMatchArray) {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(match as RegExpMatchArray);
        }
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
