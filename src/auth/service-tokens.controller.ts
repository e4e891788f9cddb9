import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentActor } from 'src/auth/access.decorator';
import { ServiceTokenCreateDto, ServiceTokenCreatedResponseDto, ServiceTokenListResponseDto } from 'src/auth/auth.dto';
import { Permission } from 'src/auth/permissions';
import type { Actor } from 'src/auth/principal';
import { ServiceTokensService } from 'src/auth/service-tokens.service';
import { UuidParam } from 'src/http/uuid-param.pipe';

@ApiTags('service tokens')
@ApiBadRequestResponse({ description: 'The request is not valid (VALIDATION_FAILED).' })
@Controller('api/admin/service-tokens')
export class ServiceTokensController {
  constructor(private readonly tokens: ServiceTokensService) {}

  @Get()
  @Allow(Permission.SERVICE_TOKENS_MANAGE)
  list(): Promise<ServiceTokenListResponseDto> {
    return this.tokens.list();
  }

  /** Creates a token for a service; the secret is in this answer only. */
  @Post()
  @Allow(Permission.SERVICE_TOKENS_MANAGE)
  @ApiConflictResponse({ description: 'An active token has this name (SERVICE_TOKEN_EXISTS).' })
  create(@CurrentActor() actor: Actor, @Body() dto: ServiceTokenCreateDto): Promise<ServiceTokenCreatedResponseDto> {
    return this.tokens.create(actor, dto);
  }

  /** Revokes the token; every instance refuses it within a second. */
  @Delete(':id')
  @HttpCode(204)
  @Allow(Permission.SERVICE_TOKENS_MANAGE)
  @ApiNotFoundResponse({ description: 'No such token (SERVICE_TOKEN_NOT_FOUND).' })
  revoke(@CurrentActor() actor: Actor, @Param('id', UuidParam) id: string): Promise<void> {
    return this.tokens.revoke(actor, id);
  }
}
