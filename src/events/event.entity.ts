import { Field, ID, Int, ObjectType } from 'type-graphql';
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
import { Audience } from '../catalogue/catalogue.enums';

/** Something that happens at a time: a talk, a club, a class, storytime. */
@ObjectType({ description: 'A library event.' })
@Entity('event')
@Index('event_starts_idx', ['startsAt'])
@Index('event_branch_starts_idx', ['branchId', 'startsAt'])
export class LibraryEvent {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Field()
  @Column({ type: 'text', unique: true })
  externalId: string;

  @Field()
  @Column({ type: 'text' })
  title: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'bigint', nullable: true })
  branchId: string | null;

  @ManyToOne(() => Branch, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'branch_id' })
  branch?: Branch | null;

  @Field()
  @Column({ type: 'timestamptz' })
  startsAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  @Field(() => Int, { nullable: true })
  @Column({ type: 'integer', nullable: true })
  capacity: number | null;

  @Field(() => Audience, { nullable: true, description: 'Null means everyone is welcome.' })
  @Column({ type: 'enum', enum: Audience, enumName: 'audience', nullable: true })
  audience: Audience | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
