import { type ChildProcessByStdio, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { klingSignature } from '@kling-webhooks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cliPath, runCli } from './cli.js';
import { startReceiver } from './receiver.js';

/** A URL on a port nothing listens on (taken from the OS, then closed). */
async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/webhooks/kling`;
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** Starts the CLI; `stdout` and `stderr` accumulate; `exited` resolves with the exit code. */
function start(args: string[]) {
  const child: Child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run = { child, stdout: '', stderr: '', exited: new Promise<number | null>((r) => child.on('close', r)) };
  child.stdout.on('data', (chunk: Buffer) => {
    run.stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    run.stderr += chunk;
  });
  return run;
}

/** Resolves with the first match of `pattern` in the child's output so far or to come. */
function seen(run: ReturnType<typeof start>, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve) => {
    const look = () => {
      const match = run.stdout.match(pattern);
      if (match) resolve(match);
      else run.child.stdout.once('data', look);
    };
    look();
  });
}

/**
 * Runs the CLI like `kling-webhooks ... | head -1`: the reader takes the first chunk and closes the pipe. `first`
 * resolves with that chunk, `done` when the CLI has exited.
 */
function firstChunkOnly(args: string[]) {
  const child: Child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const first = new Promise<string>((resolve) =>
    child.stdout.once('data', (chunk: Buffer) => {
      child.stdout.destroy();
      resolve(String(chunk));
    }),
  );
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { first, done };
}

describe('kling-webhooks CLI: the rough edges', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    assertBuilt();
    receiver = await startReceiver({ verify: 'none' });
  });
  afterAll(() => receiver?.close());

  it('check against nothing listening says "connection refused" and reports no timing failure', async () => {
    const url = await closedUrl();
    const { code, stdout } = await runCli(['check', url, '--token-secret', 'a-token-secret-for-the-check']);
    expect(code).toBe(1);
    const caseLines = stdout.split('\n').filter((line) => /^\[\d+\/\d+\]/.test(line));
    expect(caseLines.length).toBeGreaterThan(5);
    for (const line of caseLines.slice(0, -1)) expect(line).toMatch(/FAIL .* seen connection refused/);
    // The 5 s rule was not broken: nothing answered, so nothing was timed.
    expect(stdout).not.toMatch(/slowest/);
    expect(caseLines.at(-1)).toMatch(/answers within 5 s .* seen not measured: no answers/);
    expect(stdout).toContain(`nothing answered at ${url} (connection refused)`);
  });

  it('the help lists --timeout-ms under check', async () => {
    const { stdout } = await runCli(['--help']);
    const check = stdout.slice(stdout.indexOf('kling-webhooks check'), stdout.indexOf('kling-webhooks simulate'));
    expect(check).toMatch(/--timeout-ms N/);
    expect(check).toMatch(/--dialect legacy\|new/);
  });

  it('output piped into a reader that stops early (| head) ends quietly: no EPIPE, no stack, its own exit code', async () => {
    const send = firstChunkOnly(['send', receiver.url, '--repeat', '200']);
    expect(await send.first).toMatch(/^sending 200 × succeed/);
    expect(await send.done).toEqual({ code: 0, stderr: '' });

    const check = firstChunkOnly(['check', await closedUrl(), '--token-secret', 'a-token-secret-for-the-check']);
    // The checks failed: the code says so even though nobody read the lines.
    expect(await check.done).toEqual({ code: 1, stderr: '' });

    // simulate runs until Ctrl-C, or until it finds nobody reads its output any more (its next line).
    const simulate = firstChunkOnly(['simulate', '--step-ms', '20']);
    const url = /listening on (http:\/\/\S+)/.exec(await simulate.first)?.[1];
    expect(url).toBeDefined();
    // If its start-up lines all came in the first chunk, a task makes it write again; if not, it has already ended.
    await fetch(`${url}/v1/videos/text2video`, {
      method: 'POST',
      headers: { authorization: 'Bearer any', 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a fox' }),
    }).catch(() => undefined);
    expect(await simulate.done).toEqual({ code: 0, stderr: '' });
  });

  it('simulate prints a curl line that creates a task against it and the secret to give the receiver', async () => {
    const target = await startReceiver({ verify: 'none' });
    const run = start(['simulate', '--step-ms', '20', '--callback-url', target.url]);
    try {
      const [, secret] = await seen(run, /^ {2}KLING_WEBHOOK_SECRET=(whsec_\S+) /m);
      const [, curl] = await seen(run, /^ {2}(curl .*)$/m);
      const verified = await startReceiver({ verify: klingSignature({ secrets: [secret as string] }) });
      try {
        // The printed line, run as printed, except for the receiver it names.
        const line = (curl as string).replace(target.url, verified.url);
        const { stdout } = await promisify(execFile)('sh', ['-c', line]);
        expect(JSON.parse(stdout)).toMatchObject({ code: 0 });
        await seen(run, /callback\s+\d+ succeed .*: 200/);
        // Verified with the printed secret: every state reached the handler.
        expect(verified.calls.map((event) => event.status)).toEqual(['submitted', 'processing', 'succeed']);
      } finally {
        await verified.close();
      }
      expect(curl).toContain(`"callback_url":"${target.url}"`);
    } finally {
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
      await target.close();
    }
  });
});
