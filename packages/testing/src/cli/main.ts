import { checkCommand } from './check.js';
import { type CliIo, UsageError } from './io.js';
import { sendCommand } from './send.js';
import { simulateCommand } from './simulate.js';

/** The `--help` text. */
export const usage = `kling-webhooks — try a Kling AI callback receiver without a Kling account

Usage:
  kling-webhooks send <url> [options]      send one callback, signed as Kling signs it, and print the answer
      --status submitted|processing|succeed|failed   (default succeed)
      --dialect legacy|new|relay|envelope           body shape (default legacy)
      --webhook-secret whsec_...   sign with Kling's webhook-* headers
      --token-secret <secret>      add a callback token (?token=) to the URL
      --hmac-secret <secret>       add the relays' X-Kling-Signature header
      --task-id <id>  --external-task-id <id>
      --repeat N                   send the same callback N times (new webhook-id each time)
      --timeout-ms N               per request (default 10000)

  kling-webhooks check <url> --webhook-secret whsec_... | --token-secret <secret> [options]
      send a valid, an unsigned, a wrongly signed, a stale, a duplicate and two malformed callbacks and report
      PASS/FAIL for each and for "answers within 5 s"; exits 1 on any FAIL
      --dialect legacy|new         body shape (default legacy)
      --timeout-ms N               give up on one request after N ms (default 10000)

  kling-webhooks simulate [options]        run a mock Kling API until Ctrl-C
      --port N (default: any free)  --host H (default 127.0.0.1)
      --webhook-secret whsec_...   (default: a fresh one, printed)   --unsigned   send callbacks unsigned
      --api-key K  |  --access-key A --secret-key S   (default: any Bearer credential)
      --step-ms N                  time between task states (default 2000)
      --fail-rate R  --drop-rate R  (0..1)   --duplicate N (extra copies of each callback)   --quiet
      --callback-url U             the receiver URL in the printed curl line (default
                                   http://127.0.0.1:3000/webhooks/kling)

  kling-webhooks --help

Exit codes: 0 success, 1 a FAIL or a non-2xx answer, 2 bad command line.`;

const commands: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  send: sendCommand,
  check: checkCommand,
  simulate: simulateCommand,
};

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help' || args.includes('--help')) {
    io.out(usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    io.err(`unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  try {
    return await command(args, io);
  } catch (error) {
    // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed options.
    const code = (error as { code?: unknown }).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`${(error as Error).message}\n\nRun kling-webhooks --help for usage.`);
      return 2;
    }
    if (error instanceof Error && 'code' in error && typeof code === 'string' && code.startsWith('KLING_')) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
}
