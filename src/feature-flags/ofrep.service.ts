import { Injectable } from '@nestjs/common';
import { EvaluationService } from 'src/feature-flags/evaluation.service';
import { OfrepEvaluationResponseDto } from 'src/feature-flags/ofrep.dto';
import { AnswerText } from 'src/feature-flags/answer-texts';
import { bulkAnswer, OfrepAnswerTexts, OfrepError, targetingKeyOf, toOfrep } from 'src/feature-flags/ofrep';

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

  /** Every live flag for the subject: the JSON text of an `OfrepBulkResponseDto` and its ETag. */
  bulk(body: unknown): Readonly<{ json: string; etag: string }> {
    const subjectId = targetingKeyOf(body);
    const keys = this.evaluation.keys();
    const texts = new Array<AnswerText>(keys.length);
    for (let i = 0; i < keys.length; i++)
      texts[i] = this.texts.of(keys[i], this.evaluation.evaluate(keys[i], subjectId));
    return bulkAnswer(texts);
  }
}
