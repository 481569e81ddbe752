import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Branch } from '../branches/branch.entity';
import { CatalogueItem } from '../catalogue/catalogue-item.entity';
import { AgeBand } from '../customers/customer.enums';
import { Customer } from '../customers/customer.entity';
import { LibraryEvent } from '../events/event.entity';
import { ActivityType, Channel } from './activity.enums';

/**
 * One entry of the append-only ledger of everything customers do with the service. Entries are
 * never updated or deleted (a database trigger enforces it); a wrong entry is cancelled by a
 * CORRECTION entry that names it. The only permitted change is detaching the customer when
 * history is anonymised, which keeps type, time, branch, item and age band for statistics.
 */
@ObjectType({ description: 'One entry in the activity ledger.' })
@Entity('activity')
@Index('activity_customer_time_idx', ['customerId', 'occurredAt', 'id'])
@Index('activity_item_time_idx', ['itemId', 'occurredAt'], { where: '"item_id" IS NOT NULL' })
@Index('activity_event_idx', ['eventId'], { where: '"event_id" IS NOT NULL' })
@Index('activity_branch_time_idx', ['branchId', 'occurredAt'])
@Index('activity_corrects_idx', ['correctsId'], { where: '"corrects_id" IS NOT NULL' })
@Index('activity_occurred_brin_idx', { synchronize: false })
export class Activity {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** Null once the entry has been anonymised. */
  @Column({ type: 'bigint', nullable: true })
  customerId: string | null;

  @ManyToOne(() => Customer, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id' })
  customer?: Customer | null;

  @Field(() => ActivityType)
  @Column({ type: 'enum', enum: ActivityType, enumName: 'activity_type' })
  type: ActivityType;

  @Field({ description: 'When it happened.' })
  @Column({ type: 'timestamptz' })
  occurredAt: Date;

  @Field({ description: 'When the platform learnt of it.' })
  @Column({ type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;

  @Column({ type: 'bigint', nullable: true })
  branchId: string | null;

  @ManyToOne(() => Branch, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'branch_id' })
  branch?: Branch | null;

  @Field(() => Channel)
  @Column({ type: 'enum', enum: Channel, enumName: 'channel', default: Channel.IN_BRANCH })
  channel: Channel;

  @Column({ type: 'bigint', nullable: true })
  itemId: string | null;

  @ManyToOne(() => CatalogueItem, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'item_id' })
  item?: CatalogueItem | null;

  @Column({ type: 'bigint', nullable: true })
  eventId: string | null;

  @ManyToOne(() => LibraryEvent, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'event_id' })
  event?: LibraryEvent | null;

  @Field(() => String, { nullable: true, description: 'Staff member who recorded it, if any.' })
  @Column({ type: 'text', nullable: true })
  staffMember: string | null;

  @Field({ description: 'Idempotency key from the recording system; unique across the ledger.' })
  @Column({ type: 'text', unique: true })
  sourceKey: string;

  @Field(() => GraphQLJSONObject, {
    description: 'Type-specific detail: rating value, search terms, session minutes, ...',
  })
  @Column({ type: 'jsonb', default: {} })
  details: Record<string, unknown>;

  /** For CORRECTION entries: the entry being cancelled. */
  @Field(() => ID, { nullable: true })
  @Column({ type: 'bigint', nullable: true })
  correctsId: string | null;

  @ManyToOne(() => Activity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'corrects_id' })
  corrects?: Activity | null;

  /** The customer's age band when it happened, kept for statistics after anonymisation. */
  @Field(() => AgeBand)
  @Column({ type: 'enum', enum: AgeBand, enumName: 'age_band', default: AgeBand.UNKNOWN })
  ageBand: AgeBand;

  @Column({ type: 'timestamptz', nullable: true })
  anonymisedAt: Date | null;
}
