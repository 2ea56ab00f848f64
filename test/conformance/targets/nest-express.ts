import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import type { ConformanceTarget } from '../target.js';
import { startNestApp } from './nest-app.js';

/** `KlingModule` in a Nest app on Express (Nest's JSON and urlencoded parsers on, `rawBody` as the options say). */
export const nestExpressTarget: ConformanceTarget = {
  name: 'nest-express',
  start: (options) =>
    startNestApp(options, async (module) => {
      const app = await NestFactory.create<NestExpressApplication>(module as never, new ExpressAdapter(), {
        logger: false,
        rawBody: options.rawBody,
      });
      // Nest already parses JSON everywhere; this adds the user's own parser in front of everything else.
      if (options.expressJsonFirst === true) app.use(express.json());
      return app;
    }),
};
