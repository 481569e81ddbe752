import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One entry of the audit trail: who did or looked at what, why, and when. Entries are chained:
 * each stores the hash of the one before, so altering or removing any entry breaks every hash
 * after it (`npm run cli -- audit verify`).
 */
@ObjectType({ description: 'Who did or looked at what, and why.' })
@Entity('audit_entry')
@Index('audit_entry_customer_idx', ['customerId', 'id'])
export class AuditEntry {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Field()
  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Field({ description: 'Staff name or token subject.' })
  @Column({ type: 'text' })
  actor: string;

  @Field()
  @Column({ type: 'text' })
  actorRole: string;

  @Field({ description: 'e.g. customer.read, activity.read, customer.update, customer.erase.' })
  @Column({ type: 'text' })
  action: string;

  @Field()
  @Column({ type: 'text' })
  targetType: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  targetId: string | null;

  /** The customer the entry is about, so they can see who looked at their record. */
  @Column({ type: 'bigint', nullable: true })
  customerId: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  requestId: string | null;

  @Field(() => GraphQLJSONObject)
  @Column({ type: 'jsonb', default: {} })
  details: Record<string, unknown>;

  @Column({ type: 'text' })
  prevHash: string;

  @Column({ type: 'text', unique: true })
  hash: string;
}
