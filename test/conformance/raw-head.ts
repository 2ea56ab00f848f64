import { once } from 'node:events';
import { connect } from 'node:net';

/** What the server answered to a request whose head was sent and whose body never came. */
export interface HeadOnlyOutcome {
  /** Status of the answer, or `undefined` when none came within the deadline. */
  status: number | undefined;
  /** Milliseconds from the head sent to the first byte of the answer (or to the deadline). */
  ms: number;
}

const STATUS_LINE = /^HTTP\/1\.1 (\d{3}) /;

/**
 * Sends a POST's request line and `headers` (which may declare a body) and not one body byte, then waits for the
 * status line or `deadlineMs`. A server that checks the declared length first answers at once; one that starts reading
 * waits for bytes that never come.
 */
export async function headOnly(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  deadlineMs: number,
): Promise<HeadOnlyOutcome> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.on('error', () => {});
  await once(socket, 'connect');
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  const started = performance.now();
  socket.write(`POST ${path} HTTP/1.1\r\nhost: ${hostname}\r\n${lines.join('')}\r\n`);
  let received = '';
  const answered = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), deadlineMs);
    const done = () => {
      clearTimeout(timer);
      resolve(received.length > 0);
    };
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
      if (STATUS_LINE.test(received)) done();
    });
    socket.once('close', done);
  });
  const ms = performance.now() - started;
  socket.destroy();
  const match = answered ? STATUS_LINE.exec(received) : null;
  return { status: match ? Number(match[1]) : undefined, ms };
}
