import { IsOmittable } from 'src/http/is-omittable.decorator';
import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { HUMAN_ROLES, type PrincipalRole, type Role } from 'src/auth/permissions';

export class LoginRequestDto {
  @IsString()
  @MaxLength(320)
  email: string;

  @IsString()
  @MaxLength(1024)
  password: string;
}

export class UserResponseDto {
  id: string;
  email: string;
  role: Role;
}

export class LoginResponseDto {
  accessToken: string;
  /** Always `Bearer`. */
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: UserResponseDto;
}

export class MeResponseDto {
  id: string;
  /** The user's email, or the service token's name. */
  name: string;
  email: string | null;
  role: PrincipalRole;
  kind: 'user' | 'service';
}

export class UserCreateDto {
  @IsEmail({ allow_display_name: false, require_tld: false })
  @MaxLength(320)
  email: string;

  /** At least 12 characters. */
  @IsString()
  @MinLength(12)
  @MaxLength(1024)
  password: string;

  @IsIn(HUMAN_ROLES)
  role: Role;

  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class UserUpdateDto {
  @IsOmittable()
  @IsIn(HUMAN_ROLES)
  role?: Role;

  @IsOmittable()
  @IsString()
  @MinLength(12)
  @MaxLength(1024)
  password?: string;

  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class UserDetailResponseDto extends UserResponseDto {
  version: number;
  createdAt: string;
  updatedAt: string;
}

export class UserListResponseDto {
  items: UserDetailResponseDto[];
  nextCursor: string | null;
}

export class ServiceTokenCreateDto {
  /** A name that says which service uses it; it is the audit actor. */
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class ServiceTokenResponseDto {
  id: string;
  name: string;
  /** The first characters of the secret, to recognise it. */
  tokenPrefix: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

export class ServiceTokenCreatedResponseDto extends ServiceTokenResponseDto {
  /** The secret, shown this once only. Send it as `Authorization: Bearer …` or `X-API-Key`. */
  token: string;
}

export class ServiceTokenListResponseDto {
  items: ServiceTokenResponseDto[];
}
