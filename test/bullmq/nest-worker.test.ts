import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { klingWorker } from '@kling-webhooks/bullmq';
import { type KlingSucceededEvent, klingSignature } from '@kling-webhooks/core';
import { KlingModule, OnKlingSucceeded } from '@kling-webhooks/nestjs';
import { type INestApplication, type INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CALLBACK_PATH, legacyBody, send, taskId, WEBHOOK_SECRET } from '../conformance/support.js';
import { describeWithRedis } from '../redis/support/redis.js';
import { connection, eventually, openSpace, type QueueSpace } from './support/queue.js';

/** Where each app's decorated handler records what it ran. */
const ran: Array<{ app: string; taskId: string }> = [];

function appModule(app: 'web' | 'worker', space: QueueSpace) {
  @Injectable()
  class Videos {
    @OnKlingSucceeded()
    save(event: KlingSucceededEvent): void {
      ran.push({ app, taskId: event.taskId });
    }
  }
  const options = {
    path: CALLBACK_PATH,
    verify: klingSignature({ secrets: [WEBHOOK_SECRET] }),
    store: space.store,
    queue: space.queue,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  };
  @Module({
    imports: [
      // The web app through forRoot, the worker app through forRootAsync: both carry `queue` (and `worker`).
      app === 'web'
        ? KlingModule.forRoot(options)
        : KlingModule.forRootAsync({
            useFactory: async () => ({
              ...options,
              worker: klingWorker({ connection: connection(), name: space.name, prefix: space.prefix }),
            }),
          }),
    ],
    providers: [Videos],
  })
  class AppModule {}
  return AppModule;
}

describeWithRedis('NestJS: a web app that queues and a worker-only app that runs @OnKlingSucceeded()', () => {
  let space: QueueSpace;
  let web: INestApplication;
  let worker: INestApplicationContext;
  let baseUrl: string;

  beforeAll(async () => {
    space = await openSpace();
    web = await NestFactory.create(appModule('web', space), new ExpressAdapter(), { logger: false });
    await web.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(web.getHttpServer().address() as AddressInfo).port}`;
    // No HTTP server at all: the module mounts nothing and runs the worker.
    worker = await NestFactory.createApplicationContext(appModule('worker', space), { logger: false });
    await worker.init();
  });
  afterAll(async () => {
    await web?.close();
    await worker?.close();
    await space?.close();
  });

  it('runs the decorated method in the worker app, once, never in the web request', async () => {
    const id = taskId();
    const answer = await send(baseUrl, legacyBody(id, 'succeed'));
    expect(answer.json).toEqual({ ok: true, queued: true });
    await eventually(() => ran.some((entry) => entry.taskId === id), 'the worker app to run the handler');
    await sleep(200);
    expect(ran.filter((entry) => entry.taskId === id)).toEqual([{ app: 'worker', taskId: id }]);
  });

  it('stops taking jobs once the worker app is closed', async () => {
    await worker.close();
    const id = taskId();
    expect((await send(baseUrl, legacyBody(id, 'succeed'))).json).toEqual({ ok: true, queued: true });
    await sleep(500);
    expect(ran.filter((entry) => entry.taskId === id)).toEqual([]);
    expect(await space.queue.queue.getWaitingCount()).toBeGreaterThanOrEqual(1);
  });
});
