import { parseArgs } from 'node:util';
import { checkReceiver } from '../check.js';
import { type CliIo, choiceOption, intOption, redactUrl, UsageError } from './io.js';

/** `kling-webhooks check <url>`: runs the receiver checks and prints one PASS/FAIL line per case. */
export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'webhook-secret': { type: 'string' },
      'token-secret': { type: 'string' },
      dialect: { type: 'string' },
      'timeout-ms': { type: 'string' },
    },
  });
  const [url, ...extra] = positionals;
  if (!url || extra.length > 0) throw new UsageError('check takes exactly one <url>');
  const webhookSecret = values['webhook-secret'];
  const tokenSecret = values['token-secret'];
  if (webhookSecret === undefined && tokenSecret === undefined) {
    throw new UsageError('check needs --webhook-secret or --token-secret (what the receiver verifies with)');
  }
  io.out(`checking ${redactUrl(url)}`);
  const report = await checkReceiver(url, {
    webhookSecret,
    tokenSecret,
    dialect: choiceOption('dialect', values.dialect, ['legacy', 'new'] as const, 'legacy'),
    timeoutMs: intOption('timeout-ms', values['timeout-ms'], 10_000, 1),
    onResult(result, index, total) {
      const seen = result.status === undefined ? (result.detail ?? 'no answer') : String(result.status);
      const cells = [
        `[${index}/${total}]`,
        result.pass ? 'PASS' : 'FAIL',
        result.name.padEnd(32),
        `expected ${result.expected}`.padEnd(28),
        `seen ${seen}`.padEnd(26),
        `${result.ms} ms`,
      ];
      io.out(cells.join('  '));
      if (!result.pass && result.status !== undefined && result.detail) io.out(`        answer: ${result.detail}`);
    },
  });
  // Every case but the timing line (the last) went unanswered: say so once, with why.
  const cases = report.results.slice(0, -1);
  const unanswered = cases.filter((r) => r.status === undefined);
  if (cases.length > 0 && unanswered.length === cases.length) {
    const reasons = [...new Set(unanswered.map((r) => r.detail))].join(', ');
    io.out(`nothing answered at ${redactUrl(url)} (${reasons}): is the receiver running and listening there?`);
  }
  const failed = report.results.filter((r) => !r.pass).length;
  io.out(`${report.results.length - failed} passed, ${failed} failed`);
  return report.pass ? 0 : 1;
}
