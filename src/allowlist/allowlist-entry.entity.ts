import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('allowlist_entries')
export class AllowlistEntryEntity {
  @PrimaryColumn('text', { name: 'feature_key' })
  featureKey: string;

  @PrimaryColumn('text', { name: 'subject_id' })
  subjectId: string;

  @Column('text', { name: 'added_by' })
  addedBy: string;

  @Column('timestamptz', { name: 'added_at' })
  addedAt: Date;

  @Column('text', { nullable: true })
  note: string | null;
}
