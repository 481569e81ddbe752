import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Customer } from '../customers/customer.entity';
import { ConsentChannel, ConsentPurpose, ConsentSource } from './consent.enums';

/**
 * One entry of the append-only consent ledger: a purpose (and channel, where it has one) given
 * or withdrawn, when, where, and against which version of the wording. The current state is the
 * latest entry per customer, purpose and channel.
 */
@ObjectType({ description: 'A consent given or withdrawn.' })
@Entity('consent_record')
@Index('consent_record_current_idx', ['customerId', 'purpose', 'channel', 'recordedAt'])
export class ConsentRecord {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'bigint' })
  customerId: string;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id' })
  customer?: Customer;

  @Field(() => ConsentPurpose)
  @Column({ type: 'enum', enum: ConsentPurpose, enumName: 'consent_purpose' })
  purpose: ConsentPurpose;

  @Field(() => ConsentChannel, {
    nullable: true,
    description: 'Null for purposes without a channel.',
  })
  @Column({ type: 'enum', enum: ConsentChannel, enumName: 'consent_channel', nullable: true })
  channel: ConsentChannel | null;

  @Field()
  @Column({ type: 'boolean' })
  granted: boolean;

  @Field()
  @Column({ type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;

  @Field(() => ConsentSource)
  @Column({ type: 'enum', enum: ConsentSource, enumName: 'consent_source' })
  source: ConsentSource;

  @Field({ description: 'Version of the wording the customer was shown.' })
  @Column({ type: 'text' })
  wordingVersion: string;
}
