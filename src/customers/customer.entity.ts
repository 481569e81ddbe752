import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Branch } from '../branches/branch.entity';
import { HistoryChoice } from '../consent/consent.enums';
import { RecommendationMode } from '../recommendations/recommendation.enums';
import { AccessibilityNeed, CustomerKind, CustomerStatus } from './customer.enums';

/**
 * Everyone the service knows about, not only borrowers. Only `externalId` and `kind` are
 * required, so a visitor known by a pseudonym or a card-less PC login is a customer too.
 */
@ObjectType({ description: 'A person or group the library serves, borrower or not.' })
@Entity('customer')
@Index('customer_home_branch_idx', ['homeBranchId'])
@Index('customer_guardian_idx', ['guardianId'])
@Index('customer_kind_status_idx', ['kind', 'status'])
@Index('customer_last_active_idx', ['lastActiveAt'])
// Trigram indexes for name and email search; created in SQL by the migration.
@Index('customer_name_trgm_idx', { synchronize: false })
@Index('customer_email_trgm_idx', { synchronize: false })
export class Customer {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Field({ description: 'Card number or other identifier from the system of record.' })
  @Column({ type: 'text', unique: true })
  externalId: string;

  @Field(() => CustomerKind)
  @Column({ type: 'enum', enum: CustomerKind, enumName: 'customer_kind' })
  kind: CustomerKind;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  firstName: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  lastName: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  phone: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  postcode: string | null;

  /** Never exposed directly: the API shows the age band derived from it. */
  @Column({ type: 'smallint', nullable: true })
  birthYear: number | null;

  @Column({ type: 'bigint', nullable: true })
  homeBranchId: string | null;

  @ManyToOne(() => Branch, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'home_branch_id' })
  homeBranch?: Branch | null;

  /** For children: the customer who is responsible for them. */
  @Column({ type: 'bigint', nullable: true })
  guardianId: string | null;

  @ManyToOne(() => Customer, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'guardian_id' })
  guardian?: Customer | null;

  @Field(() => String, { nullable: true, description: 'ISO 639-1 code, e.g. "en", "pl".' })
  @Column({ type: 'text', nullable: true })
  preferredLanguage: string | null;

  @Field(() => [AccessibilityNeed])
  @Column({
    type: 'enum',
    enum: AccessibilityNeed,
    enumName: 'accessibility_need',
    array: true,
    default: '{}',
  })
  accessibilityNeeds: AccessibilityNeed[];

  @Field(() => GraphQLJSONObject, {
    description: 'Free-form attributes, including extra columns kept from imports.',
  })
  @Column({ type: 'jsonb', default: {} })
  attributes: Record<string, unknown>;

  @Field(() => CustomerStatus)
  @Column({
    type: 'enum',
    enum: CustomerStatus,
    enumName: 'customer_status',
    default: CustomerStatus.ACTIVE,
  })
  status: CustomerStatus;

  @Field(() => RecommendationMode, {
    description: 'What personalisation may use: history and interests, interests only, or nothing.',
  })
  @Column({
    type: 'enum',
    enum: RecommendationMode,
    enumName: 'recommendation_mode',
    default: RecommendationMode.FULL,
  })
  recommendationMode: RecommendationMode;

  @Field(() => HistoryChoice)
  @Column({
    type: 'enum',
    enum: HistoryChoice,
    enumName: 'history_choice',
    default: HistoryChoice.DEFAULT,
  })
  historyChoice: HistoryChoice;

  @Field()
  @Column({ type: 'timestamptz', default: () => 'now()' })
  registeredAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  lastActiveAt: Date | null;

  /** Set when the record became a tombstone; personal fields are gone from then on. */
  @Column({ type: 'timestamptz', nullable: true })
  erasedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
