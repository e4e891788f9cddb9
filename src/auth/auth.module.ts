import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AuditModule } from 'src/audit/audit.module';
import { AccessGuard, JwtAuthGuard } from 'src/auth/access.guard';
import { AuthController } from 'src/auth/auth.controller';
import { AuthService } from 'src/auth/auth.service';
import { JwtStrategy } from 'src/auth/jwt.strategy';
import { LoginThrottlerGuard } from 'src/auth/login-throttler.guard';
import { ServiceTokensController } from 'src/auth/service-tokens.controller';
import { ServiceTokensService } from 'src/auth/service-tokens.service';
import { UsersController } from 'src/auth/users.controller';
import { UsersService } from 'src/auth/users.service';

@Module({
  imports: [AuditModule, PassportModule, JwtModule.register({})],
  controllers: [AuthController, UsersController, ServiceTokensController],
  providers: [
    AuthService,
    UsersService,
    ServiceTokensService,
    JwtStrategy,
    JwtAuthGuard,
    LoginThrottlerGuard,
    AccessGuard,
    // The one global guard; also resolvable by class for the evaluation hot paths (hot-path.ts).
    { provide: APP_GUARD, useExisting: AccessGuard },
  ],
  exports: [ServiceTokensService],
})
export class AuthModule {}
