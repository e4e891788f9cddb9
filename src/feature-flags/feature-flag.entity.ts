import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('feature_flags')
export class FeatureFlagEntity {
  @PrimaryColumn('text')
  key: string;

  @Column('text')
  description: string;

  @Column('boolean')
  enabled: boolean;

  @Column('integer', { name: 'rollout_basis_points' })
  rolloutBasisPoints: number;

  @Column('integer', { name: 'allowlist_count' })
  allowlistCount: number;

  @Column('integer')
  version: number;

  @Column('timestamptz', { name: 'archived_at', nullable: true })
  archivedAt: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  @Column('text', { name: 'updated_by' })
  updatedBy: string;
}
