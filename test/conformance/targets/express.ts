import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@kling-webhooks/core';
import { klingWebhooks } from '@kling-webhooks/express';
import express from 'express';
import { type ConformanceTarget, receiverOptionsOf, registerHandlers } from '../target.js';

/** The Express middleware, mounted with `app.use`, a JSON route after it. */
export const expressTarget: ConformanceTarget = {
  name: 'express',
  async start(options) {
    const app = express();
    if (options.expressJsonFirst === true) app.use(express.json());
    const middleware = klingWebhooks({
      path: options.path,
      ...receiverOptionsOf(options),
      logger: options.logger ?? silentLogger,
    });
    registerHandlers(middleware.receiver, options.handlers);
    const worker = options.worker?.(middleware.receiver);
    app.use(middleware);
    app.post('/api/echo', express.json(), (req, res) => {
      res.json(req.body);
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await worker?.close();
      },
    };
  },
};
