import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  AllowlistAddDto,
  AllowlistAddResponseDto,
  AllowlistClearResponseDto,
  AllowlistPageResponseDto,
  AllowlistReasonQueryDto,
} from 'src/allowlist/allowlist.dto';
import { AllowlistService } from 'src/allowlist/allowlist.service';
import { SubjectIdPipe } from 'src/allowlist/subject-id.pipe';
import { Allow, CurrentActor } from 'src/auth/access.decorator';
import { Permission } from 'src/auth/permissions';
import type { Actor } from 'src/auth/principal';
import { FlagKeyPipe } from 'src/feature-flags/flag-key.pipe';
import { IF_MATCH_HEADER, IfMatch } from 'src/http/if-match.decorator';
import { PageQueryDto } from 'src/http/page-query.dto';

@ApiTags('allowlist')
@ApiBadRequestResponse({ description: 'The request is not valid (VALIDATION_FAILED).' })
@ApiNotFoundResponse({ description: 'No such flag (FLAG_NOT_FOUND).' })
@Controller('api/admin/feature-flags/:key/allowlist')
export class AllowlistController {
  constructor(private readonly allowlist: AllowlistService) {}

  /** The allowlist, ordered by subject ID, paged with `limit` and `cursor`. */
  @Get()
  @Allow(Permission.FLAGS_READ)
  page(@Param('key', FlagKeyPipe) key: string, @Query() query: PageQueryDto): Promise<AllowlistPageResponseDto> {
    return this.allowlist.page(key, query.limit, query.cursor);
  }

  /** Adds up to 10,000 subjects at once; subjects already present are counted, not duplicated. */
  @Post()
  @HttpCode(200)
  @Allow(Permission.ALLOWLIST_ADD)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiPreconditionFailedResponse({ description: 'If-Match is stale (VERSION_CONFLICT).' })
  add(
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Body() dto: AllowlistAddDto,
    @IfMatch() ifMatch?: string,
  ): Promise<AllowlistAddResponseDto> {
    return this.allowlist.add(actor, key, dto, ifMatch);
  }

  /** Empties the allowlist (runbook Level 1, option B). */
  @Delete()
  @Allow(Permission.ALLOWLIST_REMOVE)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiPreconditionFailedResponse({ description: 'If-Match is stale (VERSION_CONFLICT).' })
  clear(
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Query() query: AllowlistReasonQueryDto,
    @IfMatch() ifMatch?: string,
  ): Promise<AllowlistClearResponseDto> {
    return this.allowlist.clear(actor, key, query.reason, ifMatch);
  }

  @Delete(':subjectId')
  @HttpCode(204)
  @Allow(Permission.ALLOWLIST_REMOVE)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiPreconditionFailedResponse({ description: 'If-Match is stale (VERSION_CONFLICT).' })
  @ApiNotFoundResponse({ description: 'No such flag (FLAG_NOT_FOUND) or subject (SUBJECT_NOT_FOUND).' })
  remove(
    @CurrentActor() actor: Actor,
    @Param('key', FlagKeyPipe) key: string,
    @Param('subjectId', SubjectIdPipe) subjectId: string,
    @Query() query: AllowlistReasonQueryDto,
    @IfMatch() ifMatch?: string,
  ): Promise<void> {
    return this.allowlist.remove(actor, key, subjectId, query.reason, ifMatch);
  }
}
