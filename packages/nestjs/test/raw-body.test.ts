import { type KlingSucceededEvent, memoryStore } from '@kling-webhooks/core';
import { Body, Controller, Injectable, type MiddlewareConsumer, Module, type NestModule, Post } from '@nestjs/common';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { KlingModule, OnKlingSucceeded } from '../src/index.js';
import {
  legacyBody,
  newSecret,
  newTaskId,
  platforms,
  postSigned,
  type RunningApp,
  startNest,
  verifyWith,
} from './nest-app.js';

const PATH = '/webhooks/kling';

@Injectable()
class Videos {
  readonly urls: string[] = [];
  @OnKlingSucceeded()
  saved(event: KlingSucceededEvent): void {
    for (const video of event.videos) this.urls.push(video.url);
  }
}

@Controller('api')
class EchoController {
  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }
}

function appModule(secret: string, parseEverything = false) {
  @Module({
    imports: [KlingModule.forRoot({ path: PATH, verify: verifyWith(secret), store: memoryStore() })],
    providers: [Videos],
    controllers: [EchoController],
  })
  class AppModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      // A user's own body-reading middleware on every route, on top of Nest's parsers.
      if (parseEverything) consumer.apply(express.json({ type: () => true })).forRoutes('*path');
    }
  }
  return AppModule;
}

const running: RunningApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

describe.each(platforms)('raw body on %s', (platform) => {
  it.each([false, true])(
    'verifies over the exact bytes with rawBody: %s, and JSON routes still parse',
    async (rawBody) => {
      const secret = newSecret();
      const app = await startNest(appModule(secret), platform, { rawBody });
      running.push(app);
      const taskId = newTaskId();

      const response = await postSigned(`${app.baseUrl}${PATH}`, legacyBody(taskId, 'succeed'), secret);
      expect(response.status).toBe(200);
      expect(app.app.get(Videos).urls).toEqual([`https://cdn.example.com/${taskId}.mp4`]);

      const echo = await fetch(`${app.baseUrl}/api/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{ "kept" : [1, 2] }',
      });
      expect(await echo.json()).toEqual({ kept: [1, 2] });
    },
  );

  it('answers 405 to a GET on the callback path and 413 to an oversized body', async () => {
    const secret = newSecret();
    const app = await startNest(appModule(secret), platform);
    running.push(app);
    expect((await fetch(`${app.baseUrl}${PATH}`)).status).toBe(405);
    const huge = legacyBody(newTaskId(), 'succeed', `, "pad": "${'x'.repeat(2 * 1024 * 1024)}"`);
    expect((await postSigned(`${app.baseUrl}${PATH}`, huge, secret)).status).toBe(413);
  });
});

describe('raw body on express with a global body-reading Nest middleware', () => {
  it('still verifies: the route runs before any middleware', async () => {
    const secret = newSecret();
    const app = await startNest(appModule(secret, true), 'express');
    running.push(app);
    const taskId = newTaskId();
    expect((await postSigned(`${app.baseUrl}${PATH}`, legacyBody(taskId, 'succeed'), secret)).status).toBe(200);
    expect(app.app.get(Videos).urls).toEqual([`https://cdn.example.com/${taskId}.mp4`]);
  });
});
