import { KlingConfigError, type KlingReceiver, type KlingSucceededEvent, memoryStore } from '@kling-webhooks/core';
import { Body, Controller, Inject, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { InjectKlingReceiver, KLING_RECEIVER, KlingModule, OnKlingSucceeded } from '../src/index.js';
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
const running: RunningApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});
async function start(...args: Parameters<typeof startNest>): Promise<RunningApp> {
  const app = await startNest(...args);
  running.push(app);
  return app;
}

/** Records every succeeded task id it is called with. */
@Injectable()
class Recorder {
  readonly taskIds: string[] = [];
  @OnKlingSucceeded()
  saved(event: KlingSucceededEvent): void {
    this.taskIds.push(event.taskId);
  }
}

/** A config provider forRootAsync reads its secret from. */
@Injectable()
class WebhookConfig {
  readonly secret = newSecret();
  readonly path = '/hooks/from-config';
}

@Module({ providers: [WebhookConfig], exports: [WebhookConfig] })
class ConfigModule {}

/** Uses the receiver through `@InjectKlingReceiver()` and through the `KLING_RECEIVER` token. */
@Injectable()
class ReceiverUser {
  constructor(
    @InjectKlingReceiver() readonly viaDecorator: KlingReceiver,
    @Inject(KLING_RECEIVER) readonly viaToken: KlingReceiver,
  ) {}
}

@Controller('api')
class EchoController {
  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }
}

describe.each(platforms)('KlingModule on %s', (platform) => {
  it('forRoot mounts the route, verifies, dispatches to decorated methods and leaves other routes alone', async () => {
    const secret = newSecret();
    @Module({
      imports: [KlingModule.forRoot({ path: PATH, verify: verifyWith(secret), store: memoryStore() })],
      providers: [Recorder],
      controllers: [EchoController],
    })
    class AppModule {}
    const { app, baseUrl } = await start(AppModule, platform);
    const taskId = newTaskId();

    const ok = await postSigned(`${baseUrl}${PATH}`, legacyBody(taskId, 'succeed'), secret);
    expect(ok.status).toBe(200);
    const forged = await postSigned(`${baseUrl}${PATH}`, legacyBody(newTaskId(), 'succeed'), newSecret());
    expect(forged.status).toBe(401);
    expect(app.get(Recorder).taskIds).toEqual([taskId]);

    const echo = await fetch(`${baseUrl}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ still: 'json' }),
    });
    expect(await echo.json()).toEqual({ still: 'json' });
    expect((await fetch(`${baseUrl}/nowhere`)).status).toBe(404);
  });

  it('forRootAsync builds the options from an injected config provider', async () => {
    @Module({
      imports: [
        KlingModule.forRootAsync({
          imports: [ConfigModule],
          inject: [WebhookConfig],
          useFactory: (config: WebhookConfig) => ({ path: config.path, verify: verifyWith(config.secret) }),
        }),
      ],
      providers: [Recorder],
    })
    class AppModule {}
    const { app, baseUrl } = await start(AppModule, platform);
    const taskId = newTaskId();

    const response = await postSigned(
      `${baseUrl}/hooks/from-config`,
      legacyBody(taskId, 'succeed'),
      app.get(WebhookConfig).secret,
    );
    expect(response.status).toBe(200);
    expect(app.get(Recorder).taskIds).toEqual([taskId]);
  });
});

describe('KlingModule', () => {
  it('makes the receiver injectable by @InjectKlingReceiver() and KLING_RECEIVER, across modules with isGlobal', async () => {
    @Module({ providers: [ReceiverUser] })
    class FeatureModule {}
    @Module({ imports: [KlingModule.forRoot({ path: PATH, verify: 'none', isGlobal: true }), FeatureModule] })
    class AppModule {}
    const context = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const user = context.get(ReceiverUser);
    expect(typeof user.viaDecorator.handle).toBe('function');
    expect(user.viaToken).toBe(user.viaDecorator);
    expect(context.get(KLING_RECEIVER, { strict: false })).toBe(user.viaDecorator);
    await context.close();
  });

  it('keeps the receiver to importing modules without isGlobal', async () => {
    @Module({ providers: [ReceiverUser] })
    class FeatureModule {}
    @Module({ imports: [KlingModule.forRoot({ path: PATH, verify: 'none' }), FeatureModule] })
    class AppModule {}
    await expect(
      NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false }),
    ).rejects.toThrow(/ReceiverUser/);
  });

  it('fails at start-up without `verify`, naming the option', async () => {
    @Module({ imports: [KlingModule.forRoot({ path: PATH } as never)] })
    class AppModule {}
    const started = NestFactory.create(AppModule, { logger: false, abortOnError: false });
    await expect(started).rejects.toBeInstanceOf(KlingConfigError);
    await expect(started).rejects.toThrow(/verify/);
  });

  it('fails at start-up with a path that is not absolute', async () => {
    @Module({ imports: [KlingModule.forRoot({ path: 'webhooks/kling', verify: 'none' })] })
    class AppModule {}
    await expect(NestFactory.create(AppModule, { logger: false, abortOnError: false })).rejects.toThrow(
      /path.*starting with "\/"/,
    );
  });
});
