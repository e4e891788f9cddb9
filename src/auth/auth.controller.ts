import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Allow, CurrentPrincipal, Public } from 'src/auth/access.decorator';
import { LoginRequestDto, LoginResponseDto, MeResponseDto } from 'src/auth/auth.dto';
import { AuthService } from 'src/auth/auth.service';
import { LoginThrottlerGuard } from 'src/auth/login-throttler.guard';
import { Permission } from 'src/auth/permissions';
import type { Principal } from 'src/auth/principal';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Exchanges an email and password for a JWT access token. */
  @Post('login')
  @HttpCode(200)
  @Public()
  @UseGuards(LoginThrottlerGuard)
  @ApiUnauthorizedResponse({ description: 'Wrong email or password (UNAUTHENTICATED).' })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts (RATE_LIMITED).' })
  login(@Body() dto: LoginRequestDto): Promise<LoginResponseDto> {
    return this.auth.login(dto);
  }

  /** Who the credentials belong to. */
  @Get('me')
  @Allow(Permission.FLAGS_EVALUATE)
  me(@CurrentPrincipal() principal: Principal): MeResponseDto {
    return this.auth.me(principal);
  }
}
