import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { KlingModuleOptions } from './options.js';

/** What `KlingModule` extends: `forRoot` / `forRootAsync`, plus the `isGlobal` extra. */
export const {
  ConfigurableModuleClass: KlingConfigurableModule,
  MODULE_OPTIONS_TOKEN: KLING_MODULE_OPTIONS,
  OPTIONS_TYPE: KLING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: KLING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<KlingModuleOptions>({ moduleName: 'Kling' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** Argument of `KlingModule.forRoot`: the module options and `isGlobal`. */
export type KlingModuleForRootOptions = typeof KLING_OPTIONS_TYPE;
/** Argument of `KlingModule.forRootAsync`: `imports`, `useFactory` + `inject` (or `useClass` / `useExisting`), `isGlobal`. */
export type KlingModuleAsyncOptions = typeof KLING_ASYNC_OPTIONS_TYPE;
