import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Interest } from '../interests/interest.entity';
import { CatalogueItem } from './catalogue-item.entity';

/** Links a title to the subjects, genres and authors it is about, in the shared taxonomy. */
@Entity('item_interest')
@Index('item_interest_interest_idx', ['interestId'])
export class ItemInterest {
  @PrimaryColumn({ type: 'bigint' })
  itemId: string;

  @PrimaryColumn({ type: 'bigint' })
  interestId: string;

  @ManyToOne(() => CatalogueItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'item_id' })
  item?: CatalogueItem;

  @ManyToOne(() => Interest, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'interest_id' })
  interest?: Interest;
}
