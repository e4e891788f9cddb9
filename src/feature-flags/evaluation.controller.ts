import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import { SubjectIdPipe } from 'src/allowlist/subject-id.pipe';
import { Allow } from 'src/auth/access.decorator';
import { Permission } from 'src/auth/permissions';
import { BulkEvaluationRequestDto, BulkEvaluationResponseDto, EvaluationResponseDto } from 'src/feature-flags/evaluation.dto';
import { EvaluationService } from 'src/feature-flags/evaluation.service';
import { FlagKeyPipe } from 'src/feature-flags/flag-key.pipe';

@ApiTags('evaluation')
@ApiBadRequestResponse({ description: 'The request is not valid (VALIDATION_FAILED).' })
@Controller('api/feature-flags')
export class EvaluationController {
  constructor(private readonly evaluation: EvaluationService) {}

  /** Is the flag on for this subject? An unknown flag answers 200 with reason FLAG_NOT_FOUND. */
  @Get(':key/evaluate')
  @Allow(Permission.FLAGS_EVALUATE)
  evaluate(
    @Param('key', FlagKeyPipe) key: string,
    @Query('subjectId', SubjectIdPipe) subjectId: string,
  ): EvaluationResponseDto {
    return this.evaluation.one(key, subjectId);
  }

  /** Several flags (or all live ones) for one subject. */
  @Post('evaluate')
  @HttpCode(200)
  @Allow(Permission.FLAGS_EVALUATE)
  evaluateMany(@Body() dto: BulkEvaluationRequestDto): BulkEvaluationResponseDto {
    return this.evaluation.many(dto.subjectId, dto.keys);
  }
}
