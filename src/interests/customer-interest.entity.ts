import { Field, Float, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Customer } from '../customers/customer.entity';
import { Interest } from './interest.entity';
import { InterestSource } from './interest.enums';

/** A customer's interest in one taxonomy node, either told to us or inferred from activity. */
@ObjectType({ description: "A customer's interest, declared by them or inferred from activity." })
@Entity('customer_interest')
@Index('customer_interest_interest_idx', ['interestId'])
export class CustomerInterest {
  @PrimaryColumn({ type: 'bigint' })
  customerId: string;

  @PrimaryColumn({ type: 'bigint' })
  interestId: string;

  @Field(() => Float, { description: 'Strength from 0 to 1.' })
  @Column({ type: 'real', default: 1 })
  weight: number;

  @Field(() => InterestSource)
  @Column({ type: 'enum', enum: InterestSource, enumName: 'interest_source' })
  source: InterestSource;

  @Field()
  @Column({ type: 'timestamptz', default: () => 'now()' })
  declaredAt: Date;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id' })
  customer?: Customer;

  @Field(() => Interest)
  @ManyToOne(() => Interest, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'interest_id' })
  interest?: Interest;
}
