import { Module } from '@nestjs/common';
import { AllowlistController } from 'src/allowlist/allowlist.controller';
import { AllowlistService } from 'src/allowlist/allowlist.service';
import { AuditModule } from 'src/audit/audit.module';
import { FeatureFlagsModule } from 'src/feature-flags/feature-flags.module';

@Module({
  imports: [AuditModule, FeatureFlagsModule],
  controllers: [AllowlistController],
  providers: [AllowlistService],
  exports: [AllowlistService],
})
export class AllowlistModule {}
