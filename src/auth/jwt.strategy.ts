import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authFailure } from 'src/auth/auth-failures';
import { HUMAN_ROLES, Role } from 'src/auth/permissions';
import { Principal } from 'src/auth/principal';
import { UsersService } from 'src/auth/users.service';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';

export const JWT_ALGORITHM = 'HS256';

type AccessTokenClaims = { sub?: unknown; role?: unknown; ver?: unknown; exp?: unknown };

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwt.secret,
      algorithms: [JWT_ALGORITHM],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
    });
  }

  /** The signature, issuer, audience and expiry are valid; the user must still be as the token says. */
  async validate(claims: AccessTokenClaims): Promise<Principal> {
    const { sub, role, ver, exp } = claims;
    const wellFormed = typeof sub === 'string' && HUMAN_ROLES.includes(role as Role);
    if (!wellFormed || typeof ver !== 'number' || typeof exp !== 'number') throw authFailure('TOKEN_NOT_ACCEPTED');
    const principal = await this.users.principalFor(sub, role as Role, ver);
    if (typeof principal === 'string') throw authFailure(principal);
    return principal;
  }
}
