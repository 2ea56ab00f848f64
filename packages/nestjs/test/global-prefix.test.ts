import { type INestApplication, type LoggerService, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { KlingModule } from '../src/index.js';
import { legacyBody, newSecret, newTaskId, platforms, postSigned, verifyWith } from './nest-app.js';

const running: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

/** Collects what Nest logs, by context. */
class LogLines implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown, context?: unknown): void {
    this.lines.push(`[${String(context)}] ${String(message)}`);
  }
  error(): void {}
  warn(): void {}
}

interface Setup {
  prefix?: [string, { exclude: string[] }?];
  useGlobalPrefix?: boolean;
}

/** A Nest app with KlingModule on `/webhooks/kling`, a global prefix set after creation as users do. */
async function start(platform: (typeof platforms)[number], setup: Setup) {
  const secret = newSecret();
  @Module({
    imports: [
      KlingModule.forRoot({
        path: '/webhooks/kling',
        verify: verifyWith(secret),
        useGlobalPrefix: setup.useGlobalPrefix,
      }),
    ],
  })
  class AppModule {}
  const logs = new LogLines();
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(AppModule, adapter, { logger: logs });
  running.push(app);
  if (setup.prefix) app.setGlobalPrefix(...setup.prefix);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  /** The status a signed callback gets at `path`. */
  const statusAt = async (path: string) =>
    (await postSigned(`http://127.0.0.1:${port}${path}`, legacyBody(newTaskId(), 'succeed'), secret)).status;
  return { logs, statusAt };
}

describe.each(platforms)('KlingModule on %s and the global prefix', (platform) => {
  it.each<[string, Setup, string, string]>([
    ['a global prefix applies by default', { prefix: ['api'] }, '/api/webhooks/kling', '/webhooks/kling'],
    ['"/api/" is the same prefix', { prefix: ['/api/'] }, '/api/webhooks/kling', '/webhooks/kling'],
    [
      'useGlobalPrefix: false mounts the path as given',
      { prefix: ['api'], useGlobalPrefix: false },
      '/webhooks/kling',
      '/api/webhooks/kling',
    ],
    [
      'a prefix that excludes the path leaves it',
      { prefix: ['api', { exclude: ['webhooks/kling'] }] },
      '/webhooks/kling',
      '/api/webhooks/kling',
    ],
    ['no prefix: the path as given', {}, '/webhooks/kling', '/api/webhooks/kling'],
  ])("%s, and the route is in Nest's route log", async (_name, setup, mounted, elsewhere) => {
    const { logs, statusAt } = await start(platform, setup);
    expect(await statusAt(mounted)).toBe(200);
    expect(await statusAt(elsewhere)).toBe(404);
    expect(logs.lines).toContain(`[RouterExplorer] Mapped {${mounted}, ALL} route (Kling callbacks, ${platform})`);
  });
});
