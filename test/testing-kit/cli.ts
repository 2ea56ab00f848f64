import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI: child processes cannot use vitest's source aliases. */
export const cliPath = fileURLToPath(new URL('../../packages/testing/dist/cli.js', import.meta.url));

/** Fails with the command to run when the CLI (or core, which it imports) has not been built. */
export function assertBuilt(): void {
  const core = fileURLToPath(new URL('../../packages/core/dist/index.js', import.meta.url));
  if (!existsSync(cliPath) || !existsSync(core)) {
    throw new Error('build first: pnpm --filter @kling-webhooks/core --filter @kling-webhooks/testing build');
  }
}

/** Runs `kling-webhooks ...args` to its end. */
export function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
