#!/usr/bin/env node
import { runCli } from './cli/main.js';

// When the reader of our output goes away (`kling-webhooks check ... | head`), writes fail with EPIPE. End quietly,
// as Unix tools do: stop writing, let the command finish with its own exit code (simulate stops).
let muted = false;
let closeOutput: () => void = () => {};
const closed = new Promise<void>((resolve) => {
  closeOutput = resolve;
});
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    muted = true;
    closeOutput();
  });
}
const writer = (stream: NodeJS.WriteStream) => (line: string) => {
  if (!muted) stream.write(`${line}\n`);
};

runCli(process.argv.slice(2), { out: writer(process.stdout), err: writer(process.stderr), closed }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    writer(process.stderr)(`kling-webhooks: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
