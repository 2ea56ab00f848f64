import { spawn } from 'node:child_process';
import { callbackToken, klingSignature } from '@kling-webhooks/core';
import { randomWebhookSecret } from '@kling-webhooks/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cliPath, runCli } from './cli.js';
import { startReceiver } from './receiver.js';

const secret = randomWebhookSecret();
const failLines = (stdout: string) => stdout.split('\n').filter((line) => / FAIL /.test(line));

describe('kling-webhooks CLI (built, run as a child process)', () => {
  let safe: Awaited<ReturnType<typeof startReceiver>>;
  let open: Awaited<ReturnType<typeof startReceiver>>;
  let tokened: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    assertBuilt();
    safe = await startReceiver({ verify: klingSignature({ secrets: [secret] }) });
    open = await startReceiver({ verify: 'none' });
    tokened = await startReceiver({ verify: callbackToken({ secret: 'token-secret' }) });
  });
  afterAll(async () => {
    await Promise.all([safe?.close(), open?.close(), tokened?.close()]);
  });

  it('check passes (exit 0) against a receiver that verifies Kling signatures', async () => {
    const { code, stdout } = await runCli(['check', safe.url, '--webhook-secret', secret]);
    expect(failLines(stdout)).toEqual([]);
    expect(stdout).toMatch(/PASS\s+valid callback\s+expected 200\/202\s+seen 200/);
    expect(stdout).toMatch(/PASS\s+unsigned callback\s+expected 401\s+seen 401/);
    expect(stdout).toMatch(/PASS\s+wrong signature/);
    expect(stdout).toMatch(/PASS\s+duplicate of the valid callback\s+expected 200 duplicate\/409\s+seen 200/);
    expect(stdout).toMatch(/PASS\s+malformed JSON\s+expected 400\s+seen 400/);
    expect(stdout).toMatch(/PASS\s+answers within 5 s/);
    expect(stdout).toContain('8 passed, 0 failed');
    expect(code).toBe(0);
    // The duplicate was suppressed: one handler call for the valid callback.
    expect(safe.calls).toHaveLength(1);
  });

  it('check fails (exit 1) against a receiver with verify: none', async () => {
    const { code, stdout } = await runCli(['check', open.url, '--webhook-secret', secret]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL\s+unsigned callback\s+expected 401\s+seen 200/);
    expect(stdout).toMatch(/FAIL\s+wrong signature\s+expected 401\s+seen 200/);
    expect(stdout).toMatch(/FAIL\s+stale timestamp/);
    expect(stdout).toContain('5 passed, 3 failed');
  });

  it('check passes with --token-secret against a callbackToken receiver, and fails with the wrong one', async () => {
    const good = await runCli(['check', tokened.url, '--token-secret', 'token-secret', '--dialect', 'new']);
    expect(failLines(good.stdout)).toEqual([]);
    expect(good.code).toBe(0);
    const bad = await runCli(['check', tokened.url, '--token-secret', 'not-the-secret']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL\s+valid callback\s+expected 200\/202\s+seen 401/);
  });

  it('send --repeat 3 delivers three times and the handler runs once', async () => {
    const before = safe.calls.length;
    const taskId = '812345678901234567';
    const { code, stdout } = await runCli([
      'send',
      safe.url,
      '--webhook-secret',
      secret,
      '--status',
      'succeed',
      '--task-id',
      taskId,
      '--repeat',
      '3',
    ]);
    expect(code).toBe(0);
    const answers = stdout.split('\n').filter((line) => line.startsWith('#'));
    expect(answers).toHaveLength(3);
    expect(answers.every((line) => / 200 in \d+ ms/.test(line))).toBe(true);
    expect(answers.slice(1).every((line) => line.includes('"duplicate":true'))).toBe(true);
    const calls = safe.calls.slice(before);
    expect(calls.map((e) => [e.taskId, e.status])).toEqual([[taskId, 'succeed']]);
  });

  it('send without a signature gets 401 and exits 1; usage errors exit 2', async () => {
    const unsigned = await runCli(['send', safe.url]);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stdout).toMatch(/#1 401/);
    expect((await runCli(['send'])).code).toBe(2);
    expect((await runCli(['send', safe.url, '--status', 'done'])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('kling-webhooks check <url>');
  });

  it('simulate runs the mock Kling until Ctrl-C, printing its URL and secret', async () => {
    const child = spawn(process.execPath, [cliPath, 'simulate', '--step-ms', '20', '--api-key', 'k'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const seen = (pattern: RegExp) =>
      new Promise<RegExpMatchArray>((resolve) => {
        const look = () => {
          const match = stdout.match(pattern);
          if (match) resolve(match);
          else child.stdout.once('data', look);
        };
        look();
      });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    const [, url] = await seen(/listening on (http:\/\/\S+)/);
    const [, printedSecret] = await seen(/webhook secret (whsec_\S+)/);
    const receiver = await startReceiver({ verify: klingSignature({ secrets: [printedSecret!] }) });
    try {
      const created = await fetch(`${url}/v1/videos/text2video`, {
        method: 'POST',
        headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'a fox', callback_url: receiver.url }),
      });
      expect(((await created.json()) as { code: number }).code).toBe(0);
      await seen(/callback\s+\d+ succeed .*: 200/);
      expect(receiver.calls.map((e) => e.status)).toEqual(['submitted', 'processing', 'succeed']);
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/stopped: 1 tasks created, 3 callbacks sent/);
    } finally {
      child.kill();
      await receiver.close();
    }
  });
});
