import { Injectable } from '@nestjs/common';
import { EvaluationService } from 'src/feature-flags/evaluation.service';
import { OfrepEvaluationResponseDto } from 'src/feature-flags/ofrep.dto';
import { OfrepAnswerTexts, OfrepError, targetingKeyOf, toOfrep } from 'src/feature-flags/ofrep';

@Injectable()
export class OfrepService {
  constructor(private readonly evaluation: EvaluationService) {}

  evaluate(key: string, subjectId: string): OfrepEvaluationResponseDto {
    const result = this.evaluation.evaluate(key, subjectId);
    if (result.reason === 'FLAG_NOT_FOUND') {
      throw new OfrepError(404, { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `No flag with the key ${key}.` });
    }
    return toOfrep(key, result);
  }

  private readonly texts = new OfrepAnswerTexts();

  /** Every live flag for the subject, as the JSON text of an `OfrepBulkResponseDto`. */
  bulk(body: unknown): string {
    const subjectId = targetingKeyOf(body);
    const flags = this.evaluation.keys().map((key) => this.texts.of(key, this.evaluation.evaluate(key, subjectId)));
    return `{"flags":[${flags.join(',')}]}`;
  }
}
