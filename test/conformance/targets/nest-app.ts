import type { AddressInfo } from 'node:net';
import type { KlingTaskEvent } from '@kling-webhooks/core';
import { KlingModule, OnKlingEvent } from '@kling-webhooks/nestjs';
import { Body, Controller, HttpCode, type INestApplication, Inject, Injectable, Module, Post } from '@nestjs/common';
import type { ConformanceApp, ConformanceHandlers, ConformanceStartOptions } from '../target.js';

const HANDLERS = Symbol('conformance handlers');

/** The suite's handlers, reached the Nest way: decorated methods of a provider, forwarding to what the suite gave. */
@Injectable()
class ForwardingHandlers {
  constructor(@Inject(HANDLERS) private readonly handlers: ConformanceHandlers) {}

  @OnKlingEvent('submitted')
  submitted(event: KlingTaskEvent): unknown {
    return this.handlers.submitted?.(event);
  }

  @OnKlingEvent('processing')
  processing(event: KlingTaskEvent): unknown {
    return this.handlers.processing?.(event);
  }

  @OnKlingEvent('succeed')
  succeed(event: KlingTaskEvent): unknown {
    return this.handlers.succeed?.(event);
  }

  @OnKlingEvent('failed')
  failed(event: KlingTaskEvent): unknown {
    return this.handlers.failed?.(event);
  }

  @OnKlingEvent('*')
  any(event: KlingTaskEvent): unknown {
    return this.handlers['*']?.(event);
  }
}

@Controller('api')
class EchoController {
  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: unknown): unknown {
    return body;
  }
}

/** Starts a Nest app made by `create` with `KlingModule`, and Nest's default body parsers on. */
export async function startNestApp(
  options: ConformanceStartOptions,
  create: (module: unknown) => Promise<INestApplication>,
): Promise<ConformanceApp> {
  const { path, verify, store, ackTimeoutMs, maxBodyBytes, bodyTimeoutMs, logger, handlers, queue, worker } = options;
  @Module({
    imports: [
      KlingModule.forRoot({ path, verify, store, ackTimeoutMs, maxBodyBytes, bodyTimeoutMs, logger, queue, worker }),
    ],
    providers: [{ provide: HANDLERS, useValue: handlers }, ForwardingHandlers],
    controllers: [EchoController],
  })
  class ConformanceModule {}
  const app = await create(ConformanceModule);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}
