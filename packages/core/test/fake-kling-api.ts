import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake API received. */
export interface SeenRequest {
  method: string;
  path: string;
  /** The raw query string, as sent (commas not re-encoded). */
  rawQuery: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** What the fake answers: an envelope object (JSON-encoded) or a raw string. */
export interface FakeAnswer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** A programmable Kling API over real HTTP on 127.0.0.1 (for client tests that need exact control of answers). */
export interface FakeKlingApi {
  url: string;
  requests: SeenRequest[];
  respond: (request: SeenRequest) => FakeAnswer | Promise<FakeAnswer>;
  close(): Promise<void>;
}

/** `{code: 0, message: 'SUCCEED', request_id, data}` as Kling answers. */
export function ok(data: unknown): FakeAnswer {
  return { body: { code: 0, message: 'SUCCEED', request_id: 'req-ok', data } };
}

/** A Kling error envelope. */
export function klingError(status: number, code: number, message = 'failed'): FakeAnswer {
  return { status, body: { code, message, request_id: `req-${code}` } };
}

export async function fakeKlingApi(respond: FakeKlingApi['respond'] = () => ok(null)): Promise<FakeKlingApi> {
  const sockets = new Set<import('node:net').Socket>();
  const api: FakeKlingApi = {
    url: '',
    requests: [],
    respond,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const [path = '', rawQuery = ''] = (req.url ?? '').split('?', 2);
    const seen: SeenRequest = {
      method: req.method ?? '',
      path,
      rawQuery,
      query: new URLSearchParams(rawQuery),
      headers: req.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    api.requests.push(seen);
    const answer = await api.respond(seen);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (res.destroyed) return;
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status ?? 200, {
      'content-type': typeof answer.body === 'string' ? 'text/html' : 'application/json',
      ...answer.headers,
    });
    res.end(body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
