import { once } from 'node:events';
import { connect } from 'node:net';

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

function head(path: string, headers: Record<string, string>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * Connects to the app, sends the request line and `headers`, and watches what the server answers until it closes the
 * connection or `deadlineMs` passes (`done`). `finish` destroys the socket and reports.
 */
async function open(baseUrl: string, path: string, headers: Record<string, string>, deadlineMs: number) {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.on('error', () => {});
  await once(socket, 'connect');
  const started = performance.now();
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
  socket.write(head(path, headers));
  return {
    socket,
    done,
    answered: () => received.length > 0,
    finish(written: number): RawOutcome {
      socket.destroy();
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
  const request = await open(baseUrl, path, headers, deadlineMs);
  request.socket.write(body.slice(0, sentBytes));
  await request.done;
  return request.finish(sentBytes);
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
  const request = await open(baseUrl, path, headers, deadlineMs);
  const { socket } = request;
  let written = 0;
  const trickle = setInterval(() => {
    if (written < body.length && !socket.destroyed) socket.write(body[written++] as string);
  }, everyMs);
  await request.done;
  clearInterval(trickle);
  return request.finish(written);
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
  const request = await open(baseUrl, path, { ...headers, 'transfer-encoding': 'chunked' }, deadlineMs);
  const { socket } = request;
  // One chunk reused: the client's own memory stays flat too.
  const size = 64 * 1024;
  const chunk = Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), Buffer.alloc(size, 0x20), Buffer.from('\r\n')]);
  let written = 0;
  let stopped = false;
  void request.done.then(() => {
    stopped = true;
  });
  const going = () => !stopped && !request.answered() && !socket.destroyed;
  while (going() && written < totalBytes) {
    written += size;
    if (!socket.write(chunk)) {
      // Wait for the server to read more, or for it to answer or close.
      await Promise.race([once(socket, 'drain').catch(() => undefined), request.done]);
    }
  }
  if (going()) socket.end('0\r\n\r\n');
  await request.done;
  return request.finish(written);
}
