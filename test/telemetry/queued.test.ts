import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createKlingWorker, type KlingWorker } from '@kling-webhooks/bullmq';
import { klingSignature, silentLogger } from '@kling-webhooks/core';
import { klingWebhooks } from '@kling-webhooks/express';
import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { otelHarness, parentOf } from '../../packages/core/test/otel-fixtures.js';
import { connection, eventually, openSpace, type QueueSpace } from '../bullmq/support/queue.js';
import { CALLBACK_PATH, legacyBody, send, taskId, WEBHOOK_SECRET } from '../conformance/support.js';
import { describeWithRedis } from '../redis/support/redis.js';

// The app's SDK: global providers, an AsyncLocalStorage context manager and the W3C propagator (NodeSDK's default).
const otel = otelHarness();
otel.registerGlobally();
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

describeWithRedis(
  'queued path (Express route + real BullMQ worker): one trace from the callback to the handlers',
  () => {
    let space: QueueSpace;
    let server: ReturnType<ReturnType<typeof express>['listen']>;
    let baseUrl: string;
    let worker: KlingWorker;
    const handled: string[] = [];

    beforeAll(async () => {
      space = await openSpace();
      const app = express();
      const middleware = klingWebhooks({
        path: CALLBACK_PATH,
        verify: klingSignature({ secrets: [WEBHOOK_SECRET] }),
        store: space.store,
        queue: space.queue,
        logger: silentLogger,
      });
      middleware.receiver.on('succeed', (event) => void handled.push(event.taskId));
      app.use(middleware);
      server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      worker = createKlingWorker({
        receiver: middleware.receiver,
        connection: connection(),
        name: space.name,
        prefix: space.prefix,
      });
    });
    afterAll(async () => {
      await worker?.close();
      server?.closeAllConnections();
      await new Promise<void>((resolve) => server?.close(() => resolve()));
      await space?.close();
      await otel.shutdown();
    });

    it("the worker's kling.process span continues the trace of the kling.webhook span that queued the event", async () => {
      const before = await otel.sum('kling.webhook.callbacks', { 'kling.webhook.outcome': 'queued' });
      const id = taskId();
      expect((await send(baseUrl, legacyBody(id, 'succeed'))).status).toBe(200);
      await eventually(() => handled.includes(id), 'the worker to run the handler');
      const byTask = (name: string) => otel.spans(name).find((span) => span.attributes['kling.task.id'] === id);
      await eventually(() => byTask('kling.process') !== undefined, 'the kling.process span');
      const webhook = byTask('kling.webhook');
      const processed = byTask('kling.process');
      expect(webhook?.attributes['kling.webhook.outcome']).toBe('queued');
      expect(processed?.spanContext().traceId).toBe(webhook?.spanContext().traceId);
      expect(parentOf(processed!)).toBe(webhook?.spanContext().spanId);
      expect(processed?.attributes['kling.process.outcome']).toBe('processed');
      const handlers = byTask('kling.handlers');
      expect(parentOf(handlers!)).toBe(processed?.spanContext().spanId);
      const job = await space.queue.queue.getJobs(['completed', 'waiting', 'active']);
      void job;
      expect((await otel.sum('kling.webhook.callbacks', { 'kling.webhook.outcome': 'queued' })) - before).toBe(1);
    });
  },
);
