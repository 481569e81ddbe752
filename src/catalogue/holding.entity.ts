import { Field, ID, Int, ObjectType } from 'type-graphql';
import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Branch } from '../branches/branch.entity';
import { CatalogueItem } from './catalogue-item.entity';

/** How many copies of a title a branch owns and how many are on the shelf now. */
@ObjectType({ description: 'Copies of a title held at one branch.' })
@Entity('holding')
@Index('holding_item_branch_uq', ['itemId', 'branchId'], { unique: true })
@Index('holding_branch_idx', ['branchId'])
@Check(
  'holding_copies_check',
  '"copies" >= 0 AND "copies_available" >= 0 AND "copies_available" <= "copies"',
)
export class Holding {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'bigint' })
  itemId: string;

  @Column({ type: 'bigint' })
  branchId: string;

  @Field(() => Int)
  @Column({ type: 'integer' })
  copies: number;

  @Field(() => Int)
  @Column({ type: 'integer' })
  copiesAvailable: number;

  @Field()
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @ManyToOne(() => CatalogueItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'item_id' })
  item?: CatalogueItem;

  @ManyToOne(() => Branch, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'branch_id' })
  branch?: Branch;
}
