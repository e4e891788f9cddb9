import { IsOmittable } from 'src/http/is-omittable.decorator';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import {
  HUMAN_ROLES,
  SERVICE_TOKEN_PERMISSIONS,
  type PrincipalRole,
  type Role,
  type ServiceTokenPermission,
} from 'src/auth/permissions';
import { FLAG_KEY_PATTERN } from 'src/feature-flags/flag-key.pipe';

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

  /**
   * What the token may do: `flags:evaluate` (the default) and/or `telemetry:write` (send
   * telemetry, which decides checkpoints — give it only to the monitored service).
   */
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(SERVICE_TOKEN_PERMISSIONS, { each: true })
  @ApiProperty({
    required: false,
    type: 'array',
    items: { type: 'string', enum: [...SERVICE_TOKEN_PERMISSIONS] },
    default: ['flags:evaluate'],
  })
  permissions?: ServiceTokenPermission[];

  /**
   * Only with `telemetry:write`: the flags this token may send telemetry for (events for others
   * are refused one by one). Left out: any existing flag. Evaluation is not limited by it.
   */
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(FLAG_KEY_PATTERN, { each: true, message: 'each key must match ^[a-z][a-z0-9_]{2,63}$' })
  telemetryFeatureKeys?: string[];

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
  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...SERVICE_TOKEN_PERMISSIONS] } })
  permissions: ServiceTokenPermission[];
  /** The flags this token may send telemetry for; null: any existing flag. */
  telemetryFeatureKeys: string[] | null;
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
