import {
  ArgumentsHost,
  Catch,
  Controller,
  ExceptionFilter,
  HttpCode,
  Post,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Allow } from 'src/auth/access.decorator';
import { Permission } from 'src/auth/permissions';
import { HotPath } from 'src/http/hot-path';
import { OfrepError, ofrepTargetOf, sendWithEtag } from 'src/feature-flags/ofrep';
import {
  OfrepBulkResponseDto,
  OfrepEvaluationRequestDto,
  OfrepEvaluationResponseDto,
} from 'src/feature-flags/ofrep.dto';
import { OfrepService } from 'src/feature-flags/ofrep.service';
import { OFREP_RESPONSE_SCHEMA } from 'src/feature-flags/response-schemas';

/** OFREP errors travel in the protocol's shape `{key, errorCode, errorDetails}`, not problem+json. */
@Catch(OfrepError)
export class OfrepErrorFilter implements ExceptionFilter {
  catch(error: OfrepError, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<FastifyReply>().status(error.status).send(error.body);
  }
}

/**
 * OpenFeature Remote Evaluation Protocol: any OpenFeature SDK with the OFREP provider asks
 * flagdog without a custom client. The body is the protocol's, so it is read as is.
 */
@ApiTags('OpenFeature (OFREP)')
@UseFilters(OfrepErrorFilter)
@Controller('ofrep/v1')
export class OfrepController {
  constructor(private readonly ofrep: OfrepService) {}

  /** One flag, as `@openfeature/ofrep-provider` asks for it. */
  @Post('evaluate/flags/:key')
  @HttpCode(200)
  @Allow(Permission.FLAGS_EVALUATE)
  @HotPath()
  @RouteSchema(OFREP_RESPONSE_SCHEMA)
  @ApiBody({ type: OfrepEvaluationRequestDto })
  @ApiBadRequestResponse({
    description: '`{key, errorCode: "TARGETING_KEY_MISSING" | "INVALID_CONTEXT", errorDetails}`',
  })
  @ApiNotFoundResponse({ description: '`{key, errorCode: "FLAG_NOT_FOUND", errorDetails}`' })
  @ApiParam({ name: 'key', description: 'The flag key.' })
  evaluate(@Req() request: FastifyRequest): OfrepEvaluationResponseDto {
    const target = ofrepTargetOf(request);
    return this.ofrep.evaluate(target.key, target.subjectId);
  }

  /** Every live flag; `ETag` on the answer, 304 when `If-None-Match` still holds it. */
  @Post('evaluate/flags')
  @HttpCode(200)
  @Allow(Permission.FLAGS_EVALUATE)
  @HotPath()
  @ApiBody({ type: OfrepEvaluationRequestDto })
  @ApiOkResponse({ type: OfrepBulkResponseDto, description: 'Every live flag, with a strong `ETag` header.' })
  @ApiResponse({ status: 304, description: '`If-None-Match` holds the current `ETag`: no body.' })
  @ApiBadRequestResponse({ description: '`{errorCode: "TARGETING_KEY_MISSING" | "INVALID_CONTEXT", errorDetails}`' })
  bulk(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    // The body and header straight from the request, as for a single flag: no pipe pass.
    const ifNoneMatch = request.headers['if-none-match'];
    sendWithEtag(reply, this.ofrep.bulk(request.body), typeof ifNoneMatch === 'string' ? ifNoneMatch : undefined);
  }
}
