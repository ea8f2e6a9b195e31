import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { TributaryModuleOptions } from './module-options';

/**
 * Nest's ConfigurableModuleBuilder gives forRoot and forRootAsync (useFactory/useClass/useExisting,
 * imports, inject) with the usual shapes; `isGlobal` makes the providers visible app-wide.
 */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } = new ConfigurableModuleBuilder<TributaryModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
