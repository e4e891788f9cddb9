import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiBadRequestResponse, ApiBody, ApiOkResponse, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Allow } from 'src/auth/access.decorator';
import { Permission } from 'src/auth/permissions';
import { HotPath } from 'src/http/hot-path';
import {
  BulkEvaluationRequestDto,
  BulkEvaluationResponseDto,
  EvaluationResponseDto,
} from 'src/feature-flags/evaluation.dto';
import { bulkEvaluationRequestOf } from 'src/feature-flags/bulk-evaluation-request';
import { EvaluationService } from 'src/feature-flags/evaluation.service';
import { evaluationTargetOf } from 'src/feature-flags/evaluation-target';
import { EVALUATION_RESPONSE_SCHEMA } from 'src/feature-flags/response-schemas';

@ApiTags('evaluation')
@ApiBadRequestResponse({ description: 'The request is not valid (VALIDATION_FAILED).' })
@Controller('api/feature-flags')
export class EvaluationController {
  constructor(private readonly evaluation: EvaluationService) {}

  /** Is the flag on for this subject? An unknown flag answers 200 with reason FLAG_NOT_FOUND. */
  @Get(':key/evaluate')
  @Allow(Permission.FLAGS_EVALUATE)
  @HotPath()
  @RouteSchema(EVALUATION_RESPONSE_SCHEMA)
  @ApiParam({ name: 'key', description: 'The flag key, e.g. passenger_favorites_matching.' })
  @ApiQuery({ name: 'subjectId', required: true, description: 'The subject: 1–128 characters, no control characters.' })
  evaluate(@Req() request: FastifyRequest): EvaluationResponseDto {
    const target = evaluationTargetOf(request);
    return this.evaluation.one(target.key, target.subjectId);
  }

  /** Several flags (or all live ones) for one subject. */
  @Post('evaluate')
  @HttpCode(200)
  @Allow(Permission.FLAGS_EVALUATE)
  @HotPath()
  @ApiBody({ type: BulkEvaluationRequestDto })
  @ApiOkResponse({ type: BulkEvaluationResponseDto })
  evaluateMany(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const { subjectId, keys } = bulkEvaluationRequestOf(request.body);
    void reply.type('application/json; charset=utf-8').send(this.evaluation.manyText(subjectId, keys));
  }
}
