import { DynamicModule, Global, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import type { AppConfig } from 'src/config/app-config';
import { AppLogger, createRootLogger } from 'src/http/logging';

/** The one pino logger of the process, as Nest's logger (`AppLogger`) for every module. */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(config: Pick<AppConfig, 'logLevel'>, stream?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      providers: [{ provide: AppLogger, useValue: new AppLogger(createRootLogger(config, stream)) }],
      exports: [AppLogger],
    };
  }
}
