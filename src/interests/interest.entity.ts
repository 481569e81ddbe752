import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { InterestKind } from './interest.enums';

/**
 * One node of the interest taxonomy (a subject, genre, author, format, event type, language or
 * service). Catalogue items and events link to the same nodes customers declare, which is what
 * lets content-based suggestions and segments match them.
 */
@ObjectType({ description: 'A subject, genre, author, format, event type, language or service.' })
@Entity('interest')
@Index('interest_kind_key_uq', ['kind', 'key'], { unique: true })
export class Interest {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Field(() => InterestKind)
  @Column({ type: 'enum', enum: InterestKind, enumName: 'interest_kind' })
  kind: InterestKind;

  @Field()
  @Column({ type: 'text' })
  label: string;

  /** Case- and space-folded label; the same interest spelt differently is one row. */
  @Column({ type: 'text' })
  key: string;

  @Column({ type: 'bigint', nullable: true })
  parentId: string | null;

  @ManyToOne(() => Interest, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'parent_id' })
  parent?: Interest | null;
}
