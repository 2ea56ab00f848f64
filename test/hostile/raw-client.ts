import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/** What the server did with a raw request. */
export interface RawOutcome {
  /** Status of the response, when one came before the connection closed. */
  status: number | undefined;
  /** The connection was closed (by the server) before the client's own deadline. */
  closed: boolean;
  /** Milliseconds from the first byte sent to the close (or to the client's deadline). */
  ms: number;
  /** Body bytes the client managed to write. */
  written: number;
}

const STATUS_LINE = /^HTTP\/1\.1 (\d{3}) /;

function open(baseUrl: string): Socket {
  const { hostname, port } = new URL(baseUrl);
  return connect({ host: hostname, port: Number(port) });
}

function head(path: string, headers: Record<string, string>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** Collects what the server answers and settles when the connection ends or `deadlineMs` passes. */
function watch(socket: Socket, deadlineMs: number, started: number) {
  let received = '';
  socket.on('data', (data: Buffer) => {
    received += data.toString('latin1');
  });
  let closed = false;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, deadlineMs);
    socket.once('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    done,
    outcome(written: number): RawOutcome {
      const match = STATUS_LINE.exec(received);
      return { status: match ? Number(match[1]) : undefined, closed, ms: performance.now() - started, written };
    },
  };
}

/**
 * Sends the request line, `headers` and the first `sentBytes` of `body`, then stalls: nothing more is sent. Resolves
 * when the server closes the connection, or after `deadlineMs` (then `closed` is false and the socket is destroyed).
 */
export async function stalledRequest(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  body: string,
  sentBytes: number,
  deadlineMs: number,
): Promise<RawOutcome> {
  const socket = open(baseUrl);
  socket.on('error', () => {});
  await once(socket, 'connect');
  const watcher = watch(socket, deadlineMs, performance.now());
  socket.write(head(path, headers));
  socket.write(body.slice(0, sentBytes));
  await watcher.done;
  socket.destroy();
  return watcher.outcome(sentBytes);
}

/**
 * Sends `body` one byte every `everyMs`: never idle for long, slow overall. Resolves like {@link stalledRequest};
 * `written` says how many bytes went out before the server closed.
 */
export async function trickledRequest(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  body: string,
  everyMs: number,
  deadlineMs: number,
): Promise<RawOutcome> {
  const socket = open(baseUrl);
  socket.on('error', () => {});
  await once(socket, 'connect');
  const watcher = watch(socket, deadlineMs, performance.now());
  socket.write(head(path, headers));
  let written = 0;
  const trickle = setInterval(() => {
    if (written < body.length && !socket.destroyed) socket.write(body[written++] as string);
  }, everyMs);
  await watcher.done;
  clearInterval(trickle);
  socket.destroy();
  return watcher.outcome(written);
}

/**
 * Streams a chunked body of up to `totalBytes` as fast as the server takes it (respecting back-pressure), stopping when
 * the server answers or closes. `written` says how much the server let through before it stopped reading.
 */
export async function chunkedFlood(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  totalBytes: number,
  deadlineMs: number,
): Promise<RawOutcome> {
  const socket = open(baseUrl);
  socket.on('error', () => {});
  await once(socket, 'connect');
  const started = performance.now();
  const watcher = watch(socket, deadlineMs, started);
  let answered = false;
  socket.once('data', () => {
    answered = true;
  });
  socket.write(head(path, { ...headers, 'transfer-encoding': 'chunked' }));
  // One chunk reused: the client's own memory stays flat too.
  const size = 64 * 1024;
  const chunk = Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), Buffer.alloc(size, 0x20), Buffer.from('\r\n')]);
  let written = 0;
  let stopped = false;
  void watcher.done.then(() => {
    stopped = true;
  });
  while (!stopped && !answered && written < totalBytes && !socket.destroyed) {
    written += size;
    if (!socket.write(chunk)) {
      // Wait for the server to read more, or for it to answer or close.
      await Promise.race([once(socket, 'drain').catch(() => undefined), watcher.done]);
    }
  }
  if (!stopped && !answered && !socket.destroyed) socket.end('0\r\n\r\n');
  await watcher.done;
  const outcome = watcher.outcome(written);
  socket.destroy();
  return outcome;
}
