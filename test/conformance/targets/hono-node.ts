import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { silentLogger } from '@kling-webhooks/core';
import { klingWebhooks } from '@kling-webhooks/web';
import { Hono } from 'hono';
import { type ConformanceTarget, receiverOptionsOf, registerHandlers } from '../target.js';

/** The web handler in a Hono app on Node (`@hono/node-server`), a JSON route beside it. */
export const honoNodeTarget: ConformanceTarget = {
  name: 'hono (node-server)',
  async start(options) {
    const handler = klingWebhooks({
      ...receiverOptionsOf(options),
      logger: options.logger ?? silentLogger,
    });
    registerHandlers(handler.receiver, options.handlers);
    const worker = options.worker?.(handler.receiver);
    const app = new Hono();
    app.all(options.path, (c) => handler(c.req.raw));
    app.post('/api/echo', async (c) => c.json(await c.req.json()));
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    });
    const { port } = server.address() as AddressInfo;
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      close: async () => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await worker?.close();
      },
    };
  },
};
