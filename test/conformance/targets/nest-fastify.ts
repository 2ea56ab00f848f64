import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ConformanceTarget } from '../target.js';
import { startNestApp } from './nest-app.js';

/** `KlingModule` in a Nest app on Fastify (Nest's content-type parsers on, `rawBody` as the options say). */
export const nestFastifyTarget: ConformanceTarget = {
  name: 'nest-fastify',
  start: (options) =>
    startNestApp(options, (module) =>
      NestFactory.create<NestFastifyApplication>(module as never, new FastifyAdapter(), {
        logger: false,
        rawBody: options.rawBody,
      }),
    ),
};
