import { Module } from '@nestjs/common';
import { AuditModule } from 'src/audit/audit.module';
import { FeatureFlagsController } from 'src/feature-flags/feature-flags.controller';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';

@Module({
  imports: [AuditModule],
  controllers: [FeatureFlagsController],
  providers: [FeatureFlagsService],
  exports: [FeatureFlagsService],
})
export class FeatureFlagsModule {}
