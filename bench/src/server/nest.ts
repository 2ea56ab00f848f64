import 'reflect-metadata';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { KlingModule, OnKlingSucceeded } from '@kling-webhooks/nestjs';
import {
  BadRequestException,
  Body,
  Controller,
  type DynamicModule,
  HttpCode,
  Injectable,
  Module,
  Post,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { BenchSecrets } from '../deliveries.js';
import { type HandWrittenRoute, isHandWritten, isOurs, type OurRoute, ROUTES, type RouteName } from '../routes.js';
import { type HandWrittenHandler, handWritten } from './hand-written.js';
import type { Outcome } from './outcome.js';
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

/**
 * What the hand-written routes read from the request, the same on both platforms with `rawBody: true`: the exact
 * bytes, and the body the platform parsed.
 */
interface PlatformRequest {
  headers: IncomingHttpHeaders;
  rawBody?: Buffer;
  body?: unknown;
}

const handWrittenHandles: Partial<Record<HandWrittenRoute, HandWrittenHandler>> = {};
const ACCEPTED = { ok: true } as const;
const DUPLICATE = { ok: true, duplicate: true } as const;

function nestAnswer(outcome: Outcome): typeof ACCEPTED | typeof DUPLICATE {
  if (outcome === 'unauthorized') throw new UnauthorizedException();
  if (outcome === 'invalid') throw new BadRequestException();
  return outcome === 'duplicate' ? DUPLICATE : ACCEPTED;
}

/**
 * A hand-written route in Nest: the platform's raw body (`rawBody: true`). The peer verifies the raw bytes with
 * standardwebhooks (which parses them again, as users get it); the floor uses the body the platform already parsed.
 */
function handWrittenAnswer(route: HandWrittenRoute, request: PlatformRequest) {
  const handle = handWrittenHandles[route];
  if (handle === undefined || request.rawBody === undefined) throw new BadRequestException();
  const outcome = handle(request.headers, request.rawBody, route === 'peer' ? undefined : request.body);
  return typeof outcome === 'string' ? nestAnswer(outcome) : outcome.then(nestAnswer);
}

@Controller()
class PeerController {
  @Post(ROUTES.peer.path)
  @HttpCode(200)
  peer(@Req() request: PlatformRequest) {
    return handWrittenAnswer('peer', request);
  }
}

@Controller()
class FloorController {
  @Post(ROUTES.floor.path)
  @HttpCode(200)
  floor(@Req() request: PlatformRequest) {
    return handWrittenAnswer('floor', request);
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
  static for(route: OurRoute | undefined, handWrittenRoutes: readonly HandWrittenRoute[], secrets: BenchSecrets) {
    const module: DynamicModule = {
      module: BenchModule,
      imports:
        route === undefined
          ? []
          : [KlingModule.forRoot({ path: ROUTES[route].path, ...receiverOptions(route, secrets) })],
      controllers: [
        BareController,
        ...(handWrittenRoutes.includes('peer') ? [PeerController] : []),
        ...(handWrittenRoutes.includes('floor') ? [FloorController] : []),
      ],
      providers: route === undefined ? [] : [Handlers],
    };
    return module;
  }
}

/**
 * A Nest 11 app on Express or Fastify with `KlingModule.forRoot` (one module, so at most one of our routes per
 * process) and `rawBody: true` for the hand-written routes (the Redis floor is not mounted on Nest).
 */
export async function nestServer(
  platform: 'express' | 'fastify',
  routes: readonly RouteName[],
  secrets: BenchSecrets,
): Promise<Server> {
  const ours = routes.filter(isOurs);
  const [route] = ours;
  if (ours.length > 1) throw new Error('a Nest server process runs at most one of our routes');
  if (route !== undefined) handle = handlerOf(route);
  const handWrittenRoutes = routes.filter(isHandWritten);
  if (handWrittenRoutes.includes('redis-floor')) throw new Error('the Redis floor is not mounted on Nest');
  for (const written of handWrittenRoutes) handWrittenHandles[written] = handWritten(written, secrets);
  const module = BenchModule.for(route, handWrittenRoutes, secrets);
  const options = { logger: ['error' as const, 'warn' as const], rawBody: true };
  const app =
    platform === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), options)
      : await NestFactory.create(module, options);
  await app.listen(0, '127.0.0.1');
  return app.getHttpServer() as Server;
}
