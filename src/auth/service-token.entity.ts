import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('service_tokens')
export class ServiceTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column('text', { name: 'token_hash', select: false })
  tokenHash: string;

  @Column('text', { name: 'token_prefix' })
  tokenPrefix: string;

  /** A subset of SERVICE_TOKEN_PERMISSIONS (permissions.ts). */
  @Column('text', { array: true })
  permissions: string[];

  /** The only flags this token may send telemetry for; null: any existing flag. */
  @Column('text', { name: 'telemetry_feature_keys', array: true, nullable: true })
  telemetryFeatureKeys: string[] | null;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
