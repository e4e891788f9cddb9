import { Module } from '@nestjs/common';
import { AuditModule } from 'src/audit/audit.module';
import { EvaluationController } from 'src/feature-flags/evaluation.controller';
import { EvaluationService } from 'src/feature-flags/evaluation.service';
import { EvaluationMinutesService } from 'src/feature-flags/evaluation-minutes';
import { EvaluationSummary } from 'src/feature-flags/evaluation-summary';
import { FeatureFlagsController } from 'src/feature-flags/feature-flags.controller';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';
import { FlagReadModel } from 'src/feature-flags/flag-read-model';
import { FlagRequestCounter } from 'src/feature-flags/flag-request-counter';
import { FlagSnapshotService } from 'src/feature-flags/flag-snapshot.service';
import { OfrepController } from 'src/feature-flags/ofrep.controller';
import { OfrepService } from 'src/feature-flags/ofrep.service';

@Module({
  imports: [AuditModule],
  controllers: [FeatureFlagsController, EvaluationController, OfrepController],
  providers: [
    FeatureFlagsService,
    FlagReadModel,
    FlagSnapshotService,
    FlagRequestCounter,
    EvaluationService,
    EvaluationSummary,
    EvaluationMinutesService,
    OfrepService,
  ],
  exports: [
    FeatureFlagsService,
    FlagReadModel,
    FlagSnapshotService,
    FlagRequestCounter,
    EvaluationService,
    EvaluationMinutesService,
  ],
})
export class FeatureFlagsModule {}
