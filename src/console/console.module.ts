import { Module } from '@nestjs/common';
import { ConsoleAssets } from 'src/console/console-assets';
import { ConsoleController } from 'src/console/console.controller';

/** Serves the built operator console at /admin (see docs/console.md). */
@Module({
  controllers: [ConsoleController],
  providers: [{ provide: ConsoleAssets, useFactory: () => ConsoleAssets.load() }],
})
export class ConsoleModule {}
