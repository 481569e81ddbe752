import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BranchKind } from './branch.enums';

/** A service point: a building, a mobile library, the online service or an outreach team. */
@ObjectType({ description: 'A service point; not every branch is a building.' })
@Entity('branch')
export class Branch {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Field({ description: 'Identifier in the library management system this was imported from.' })
  @Column({ type: 'text', unique: true })
  externalId: string;

  @Field()
  @Column({ type: 'text' })
  name: string;

  @Field(() => BranchKind)
  @Column({ type: 'enum', enum: BranchKind, enumName: 'branch_kind' })
  kind: BranchKind;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  postcode: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
