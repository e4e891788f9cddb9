import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Allow, CurrentActor, CurrentPrincipal } from 'src/auth/access.decorator';
import { Permission } from 'src/auth/permissions';
import type { Actor, Principal } from 'src/auth/principal';
import {
  AuditEventListResponseDto,
  FeatureFlagArchiveQueryDto,
  FeatureFlagCreateDto,
  FeatureFlagListQueryDto,
  FeatureFlagListResponseDto,
  FeatureFlagReplaceDto,
  FeatureFlagResponseDto,
  FeatureFlagUpdateDto,
} from 'src/feature-flags/feature-flag.dto';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';
import { FlagKeyPipe } from 'src/feature-flags/flag-key.pipe';
import { EtagInterceptor } from 'src/http/etag.interceptor';
import { IF_MATCH_HEADER, IfMatch } from 'src/http/if-match.decorator';
import { PageQueryDto } from 'src/http/page-query.dto';

@ApiTags('feature flags')
@ApiBadRequestResponse({ description: 'The request is not valid (VALIDATION_FAILED).' })
@UseInterceptors(EtagInterceptor)
@Controller('api/admin/feature-flags')
export class FeatureFlagsController {
  constructor(private readonly flags: FeatureFlagsService) {}

  @Get()
  @Allow(Permission.FLAGS_READ)
  list(@Query() query: FeatureFlagListQueryDto): Promise<FeatureFlagListResponseDto> {
    return this.flags.list(query.includeArchived);
  }

  @Post()
  @Allow(Permission.FLAGS_CREATE)
  @ApiConflictResponse({ description: 'The key is taken (FLAG_EXISTS).' })
  create(@CurrentActor() actor: Actor, @Body() dto: FeatureFlagCreateDto): Promise<FeatureFlagResponseDto> {
    return this.flags.create(actor, dto);
  }

  @Get(':key')
  @Allow(Permission.FLAGS_READ)
  @ApiNotFoundResponse({ description: 'No such flag (FLAG_NOT_FOUND).' })
  get(@Param('key', FlagKeyPipe) key: string): Promise<FeatureFlagResponseDto> {
    return this.flags.get(key);
  }

  /**
   * Sets `enabled` and `rolloutPercentage` (the runbook's call). Disabling or lowering is open
   * to OPERATOR (Level 1 rollback); enabling or raising needs SUPER_ADMIN.
   */
  @Put(':key')
  @Allow(Permission.FLAGS_REDUCE_EXPOSURE)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiNotFoundResponse({ description: 'No such flag (FLAG_NOT_FOUND).' })
  @ApiPreconditionFailedResponse({ description: 'If-Match is stale (VERSION_CONFLICT).' })
  replace(
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Body() dto: FeatureFlagReplaceDto,
    @IfMatch() ifMatch?: string,
  ): Promise<FeatureFlagResponseDto> {
    return this.flags.update(principal, actor, key, dto, ifMatch);
  }

  /** Changes any of `description`, `enabled`, `rolloutPercentage`; same exposure rule as PUT. */
  @Patch(':key')
  @Allow(Permission.FLAGS_REDUCE_EXPOSURE)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiNotFoundResponse({ description: 'No such flag (FLAG_NOT_FOUND).' })
  @ApiPreconditionFailedResponse({ description: 'If-Match is stale (VERSION_CONFLICT).' })
  update(
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Body() dto: FeatureFlagUpdateDto,
    @IfMatch() ifMatch?: string,
  ): Promise<FeatureFlagResponseDto> {
    return this.flags.update(principal, actor, key, dto, ifMatch);
  }

  /** Archives the flag: evaluation answers FLAG_NOT_FOUND, the history is kept. */
  @Delete(':key')
  @HttpCode(204)
  @Allow(Permission.FLAGS_ARCHIVE)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiNotFoundResponse({ description: 'No such flag (FLAG_NOT_FOUND).' })
  @ApiPreconditionFailedResponse({ description: 'If-Match is stale (VERSION_CONFLICT).' })
  archive(
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Query() query: FeatureFlagArchiveQueryDto,
    @IfMatch() ifMatch?: string,
  ): Promise<void> {
    return this.flags.archive(actor, key, query.reason, ifMatch);
  }

  /** The flag's audit events, newest first. */
  @Get(':key/history')
  @Allow(Permission.FLAGS_READ)
  @ApiNotFoundResponse({ description: 'No such flag (FLAG_NOT_FOUND).' })
  history(@Param('key', FlagKeyPipe) key: string, @Query() query: PageQueryDto): Promise<AuditEventListResponseDto> {
    return this.flags.history(key, query.limit, query.cursor);
  }
}
