import { Module } from '@nestjs/common';
import { AuditController } from 'src/audit/audit.controller';
import { AuditService } from 'src/audit/audit.service';

@Module({ controllers: [AuditController], providers: [AuditService], exports: [AuditService] })
export class AuditModule {}
