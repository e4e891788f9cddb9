import { Injectable } from '@nestjs/common';
import { EvaluationService } from 'src/feature-flags/evaluation.service';
import { OfrepBulkResponseDto, OfrepEvaluationResponseDto } from 'src/feature-flags/ofrep.dto';
import { OfrepError, targetingKeyOf, toOfrep } from 'src/feature-flags/ofrep';

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

  bulk(body: unknown): OfrepBulkResponseDto {
    const subjectId = targetingKeyOf(body);
    return { flags: this.evaluation.keys().map((key) => toOfrep(key, this.evaluation.evaluate(key, subjectId))) };
  }
}
