import 'reflect-metadata';
import type { Server } from 'node:http';
import { KlingModule, OnKlingSucceeded } from '@kling-webhooks/nestjs';
import { Body, Controller, type DynamicModule, HttpCode, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { BenchSecrets } from '../deliveries.js';
import { type OurRoute, ROUTES, type RouteName } from '../routes.js';
import { handlerOf, receiverOptions } from './receivers.js';

/** The bare route: Nest's own body parser, a 200 JSON answer (Nest answers POST with 201 unless told). */
@Controller()
class BareController {
  @Post(ROUTES.bare.path)
  @HttpCode(200)
  bare(@Body() _body: unknown): { ok: boolean } {
    return { ok: true };
  }
}

let handle: () => undefined | Promise<void> = () => undefined;

/** Our route's handler, a provider method discovered through its decorator as in an app. */
@Injectable()
class Handlers {
  @OnKlingSucceeded()
  succeeded(): undefined | Promise<void> {
    return handle();
  }
}

@Module({})
class BenchModule {
  static for(route: OurRoute, secrets: BenchSecrets): DynamicModule {
    return {
      module: BenchModule,
      imports: [KlingModule.forRoot({ path: ROUTES[route].path, ...receiverOptions(route, secrets) })],
      controllers: [BareController],
      providers: [Handlers],
    };
  }
}

/** A Nest 11 app on Express or Fastify with `KlingModule.forRoot` (one module, so one of our routes per process). */
export async function nestServer(
  platform: 'express' | 'fastify',
  routes: readonly RouteName[],
  secrets: BenchSecrets,
): Promise<Server> {
  const ours = routes.filter((route): route is OurRoute => route !== 'bare' && route !== 'raw');
  const [route] = ours;
  if (route === undefined || ours.length > 1) throw new Error('a Nest server process runs exactly one of our routes');
  handle = handlerOf(route);
  const module = BenchModule.for(route, secrets);
  const options = { logger: ['error' as const, 'warn' as const] };
  const app =
    platform === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), options)
      : await NestFactory.create(module, options);
  await app.listen(0, '127.0.0.1');
  return app.getHttpServer() as Server;
}
