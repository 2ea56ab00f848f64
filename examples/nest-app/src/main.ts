import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule, CALLBACK_PATH } from './app.module.js';

const secret = process.env.KLING_WEBHOOK_SECRET;
if (!secret) {
  console.error(
    'KLING_WEBHOOK_SECRET is not set. Create a Webhook Secret in the Kling console and start with\n' +
      '  KLING_WEBHOOK_SECRET=whsec_... pnpm example:nest',
  );
  process.exit(1);
}

const app = await NestFactory.create(AppModule.withSecret(secret));
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
new Logger('Example').log(`Kling callbacks go to ${await app.getUrl()}${CALLBACK_PATH}`);
