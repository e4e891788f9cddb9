import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { AnswerTexts } from 'src/feature-flags/answer-texts';
import { BulkEvaluationItemDto, EvaluationResponseDto } from 'src/feature-flags/evaluation.dto';
import { EvaluationMinutesService } from 'src/feature-flags/evaluation-minutes';
import { FlagRequestCounter, UNKNOWN_FLAG_KEY } from 'src/feature-flags/flag-request-counter';
import { FlagSnapshotService } from 'src/feature-flags/flag-snapshot.service';
import { Evaluation, evaluate } from 'src/feature-flags/resolver';

/** One flag's entry in a bulk answer (`BulkEvaluationItemDto`), in its documented field order. */
function bulkItemOf(key: string, { enabled, reason, version }: Evaluation): BulkEvaluationItemDto {
  return { key, enabled, reason, version };
}

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

  private readonly bulkTexts = new AnswerTexts(bulkItemOf);

  /**
   * Several flags (all live ones when `keys` is left out) for one subject, as the JSON text of a
   * `BulkEvaluationResponseDto`: a join of per-flag texts cached by flag version and outcome.
   * A key no flag has is written on the spot, never cached.
   */
  manyText(subjectId: string, keys?: readonly string[]): string {
    const list = keys ?? this.snapshot.keys();
    let json = `{"subjectId":${JSON.stringify(subjectId)},"results":[`;
    for (let i = 0; i < list.length; i++) {
      const key = list[i];
      const evaluation = this.evaluate(key, subjectId);
      if (i > 0) json += ',';
      json +=
        evaluation.reason === 'FLAG_NOT_FOUND'
          ? JSON.stringify(bulkItemOf(key, evaluation))
          : this.bulkTexts.of(key, evaluation).json;
    }
    return `${json}]}`;
  }

  /** Live flag keys, for OFREP bulk evaluation. */
  keys(): readonly string[] {
    return this.snapshot.keys();
  }
}
