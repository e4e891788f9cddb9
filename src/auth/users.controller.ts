import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentActor } from 'src/auth/access.decorator';
import { UserCreateDto, UserDetailResponseDto, UserListResponseDto, UserUpdateDto } from 'src/auth/auth.dto';
import { Permission } from 'src/auth/permissions';
import type { Actor } from 'src/auth/principal';
import { UsersService } from 'src/auth/users.service';
import { PageQueryDto } from 'src/http/page-query.dto';
import { UuidParam } from 'src/http/uuid-param.pipe';

@ApiTags('users')
@ApiBadRequestResponse({ description: 'The request is not valid (VALIDATION_FAILED).' })
@Controller('api/admin/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Allow(Permission.USERS_MANAGE)
  list(@Query() query: PageQueryDto): Promise<UserListResponseDto> {
    return this.users.list(query.limit, query.cursor);
  }

  @Post()
  @Allow(Permission.USERS_MANAGE)
  @ApiConflictResponse({ description: 'The email is taken (USER_EXISTS).' })
  create(@CurrentActor() actor: Actor, @Body() dto: UserCreateDto): Promise<UserDetailResponseDto> {
    return this.users.create(actor, dto);
  }

  @Patch(':id')
  @Allow(Permission.USERS_MANAGE)
  @ApiNotFoundResponse({ description: 'No such user (USER_NOT_FOUND).' })
  @ApiConflictResponse({ description: 'The last SUPER_ADMIN cannot be demoted (LAST_SUPER_ADMIN).' })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParam) id: string,
    @Body() dto: UserUpdateDto,
  ): Promise<UserDetailResponseDto> {
    return this.users.update(actor, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Allow(Permission.USERS_MANAGE)
  @ApiNotFoundResponse({ description: 'No such user (USER_NOT_FOUND).' })
  @ApiConflictResponse({ description: 'The last SUPER_ADMIN cannot be deleted (LAST_SUPER_ADMIN).' })
  remove(@CurrentActor() actor: Actor, @Param('id', UuidParam) id: string): Promise<void> {
    return this.users.remove(actor, id);
  }
}
