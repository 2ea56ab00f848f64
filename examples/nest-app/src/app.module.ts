import { klingSignature, memoryStore } from '@kling-webhooks/core';
import { KlingModule } from '@kling-webhooks/nestjs';
import { type DynamicModule, Module } from '@nestjs/common';
import { VideoLogger } from './video-logger.js';

/** The callback route; give Kling `https://<your host>/webhooks/kling` as `callback_url`. */
export const CALLBACK_PATH = '/webhooks/kling';

/** The example app: Kling callbacks verified with the Webhook Secret from Kling's console. */
@Module({})
export class AppModule {
  static withSecret(secret: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        KlingModule.forRoot({
          path: CALLBACK_PATH,
          verify: klingSignature({ secrets: [secret] }),
          // One process: the memory store is enough. Several replicas need a shared store (@kling-webhooks/redis).
          store: memoryStore(),
        }),
      ],
      providers: [VideoLogger],
    };
  }
}
