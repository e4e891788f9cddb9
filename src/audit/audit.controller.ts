import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import { AuditQueryDto } from 'src/audit/audit-query.dto';
import { AuditService } from 'src/audit/audit.service';
import { Allow } from 'src/auth/access.decorator';
import { Permission } from 'src/auth/permissions';
import { AuditEventListResponseDto } from 'src/feature-flags/feature-flag.dto';

@ApiTags('audit')
@ApiBadRequestResponse({ description: 'The request is not valid (VALIDATION_FAILED).' })
@Controller('api/admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /**
   * Every audit event (flags, allowlists, phases, users, service tokens, the beta monitor),
   * newest first, filtered by actor, action, flag and time, paged with `limit` and `cursor`.
   */
  @Get()
  @Allow(Permission.AUDIT_READ)
  list(@Query() query: AuditQueryDto): Promise<AuditEventListResponseDto> {
    return this.audit.search(query);
  }
}
