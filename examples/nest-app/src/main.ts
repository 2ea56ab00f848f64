import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule, CALLBACK_PATH } from './app.module.js';

const secret = process.env.KLING_WEBHOOK_SECRET;
if (!secret) {
  console.error(
    'KLING_WEBHOOK_SECRET is not set. Create a Webhook Secret in the Kling console and start with\n' +
      '  KLING_WEBHOOK_SECRET=whsec_... pnpm example:nest\n' +
      'To try it without a Kling account, run the mock Kling API: it prints a secret to use here and a curl line\n' +
      'that creates a task whose callbacks come to this app:\n' +
      '  node packages/testing/dist/cli.js simulate   (from the repository root; elsewhere:\n' +
      '  npx -p @kling-webhooks/testing kling-webhooks simulate)',
  );
  process.exit(1);
}

const app = await NestFactory.create(AppModule.withSecret(secret));
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
new Logger('Example').log(`Kling callbacks go to ${await app.getUrl()}${CALLBACK_PATH}`);
