import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { BulkEvaluationResponseDto, EvaluationResponseDto } from 'src/feature-flags/evaluation.dto';
import { EvaluationMinutesService } from 'src/feature-flags/evaluation-minutes';
import { FlagRequestCounter, UNKNOWN_FLAG_KEY } from 'src/feature-flags/flag-request-counter';
import { FlagSnapshotService } from 'src/feature-flags/flag-snapshot.service';
import { Evaluation, evaluate } from 'src/feature-flags/resolver';

/** Answers "is this flag on for this subject?" from the in-memory snapshot only (docs/resolver.md). */
@Injectable()
export class EvaluationService {
  private readonly masterSwitchesOff: ReadonlySet<string>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly snapshot: FlagSnapshotService,
    private readonly counter: FlagRequestCounter,
    private readonly served: EvaluationMinutesService,
  ) {
    this.masterSwitchesOff = config.masterSwitchesOff;
  }

  evaluate(key: string, subjectId: string): Evaluation {
    const flag = this.snapshot.get(key);
    const evaluation = evaluate(flag, subjectId, this.masterSwitchesOff.has(key));
    // Per-minute counts only for flags that exist: callers cannot grow memory with made-up keys.
    if (flag !== undefined) {
      const now = Date.now();
      this.counter.increment(key, now);
      this.served.count(key, evaluation.enabled, now);
    }
    // Made-up keys share one label: they neither become metric labels nor take the slots of real flags.
    this.counter.countReason(flag !== undefined ? key : UNKNOWN_FLAG_KEY, evaluation.reason);
    return evaluation;
  }

  one(key: string, subjectId: string): EvaluationResponseDto {
    const { enabled, reason, bucket, version } = this.evaluate(key, subjectId);
    return { key, subjectId, enabled, reason, bucket, version };
  }

  many(subjectId: string, keys?: readonly string[]): BulkEvaluationResponseDto {
    const results = (keys ?? this.snapshot.keys()).map((key) => {
      const { enabled, reason, version } = this.evaluate(key, subjectId);
      return { key, enabled, reason, version };
    });
    return { subjectId, results };
  }

  /** Live flag keys, for OFREP bulk evaluation. */
  keys(): readonly string[] {
    return this.snapshot.keys();
  }
}
