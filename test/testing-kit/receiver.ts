import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createKlingReceiver,
  type KlingReceiverOptions,
  type KlingTaskEvent,
  silentLogger,
} from '@kling-webhooks/core';

/** A real node:http server around createKlingReceiver that records every handler call. */
export async function startReceiver(options: KlingReceiverOptions) {
  const receiver = createKlingReceiver({ logger: silentLogger, ...options });
  const calls: KlingTaskEvent[] = [];
  receiver.on('*', (event) => {
    calls.push(event);
  });
  const server = createServer(async (req, res) => {
    const answer = await receiver.handle({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      rawBody: req,
    });
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/kling`,
    receiver,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
