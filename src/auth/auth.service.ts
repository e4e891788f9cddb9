import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { LoginRequestDto, LoginResponseDto, MeResponseDto } from 'src/auth/auth.dto';
import { JWT_ALGORITHM } from 'src/auth/jwt.strategy';
import { burnPasswordCheck, verifyPassword } from 'src/auth/password';
import { Principal } from 'src/auth/principal';
import { UsersService } from 'src/auth/users.service';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { AppError } from 'src/http/app-error';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Wrong email and wrong password get the same answer in the same time. */
  async login(dto: LoginRequestDto): Promise<LoginResponseDto> {
    const user = await this.users.findForLogin(dto.email);
    const valid = user ? await verifyPassword(user.passwordHash, dto.password) : await burnPasswordCheck(dto.password);
    if (!user || !valid) {
      this.logger.warn({ email: dto.email.toLowerCase() }, 'Failed login');
      throw AppError.unauthenticated('The email or password is wrong.');
    }
    const accessToken = await this.jwt.signAsync(
      { sub: user.id, role: user.role, email: user.email, ver: user.version },
      {
        algorithm: JWT_ALGORITHM,
        secret: this.config.jwt.secret,
        issuer: this.config.jwt.issuer,
        audience: this.config.jwt.audience,
        expiresIn: this.config.jwt.ttlSeconds,
      },
    );
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: this.config.jwt.ttlSeconds,
      user: { id: user.id, email: user.email, role: user.role },
    };
  }

  me(principal: Principal): MeResponseDto {
    return {
      id: principal.id,
      name: principal.name,
      email: principal.kind === 'user' ? principal.name : null,
      role: principal.role,
      kind: principal.kind,
    };
  }
}
