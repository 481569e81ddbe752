import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { CatalogueItem } from '../catalogue/catalogue-item.entity';
import { Customer } from '../customers/customer.entity';
import { ModelStatus } from './recommendation.enums';

/** "Not for me": the title is never suggested to this customer again. */
@Entity('recommendation_dismissal')
export class RecommendationDismissal {
  @PrimaryColumn({ type: 'bigint' })
  customerId: string;

  @PrimaryColumn({ type: 'bigint' })
  itemId: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  dismissedAt: Date;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id' })
  customer?: Customer;

  @ManyToOne(() => CatalogueItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'item_id' })
  item?: CatalogueItem;
}

/**
 * One build of the shared recommendation model. Workers write the parts (catalogue snapshot,
 * neighbour shards, popularity) here so any worker can load the same model afterwards.
 */
@Entity('rec_model')
@Index('rec_model_status_idx', ['status', 'id'])
@Index('rec_model_build_key_idx', ['buildKey'], { unique: true })
export class RecModel {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({
    type: 'enum',
    enum: ModelStatus,
    enumName: 'rec_model_status',
    default: ModelStatus.BUILDING,
  })
  status: ModelStatus;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'integer' })
  shardCount: number;

  /** Reference time the signals were decayed to, in epoch ms. */
  @Column({ type: 'bigint' })
  asOf: string;

  /** Catalogue snapshot and item-id map, v8-serialised. */
  @Column({ type: 'bytea', nullable: true })
  snapshot: Buffer | null;

  /** Popularity table, v8-serialised; written by the finishing step. */
  @Column({ type: 'bytea', nullable: true })
  popularity: Buffer | null;

  @Column({ type: 'jsonb', default: {} })
  stats: Record<string, unknown>;

  /** The rebuild job that started this build, so a retried job finds it again. */
  @Column({ type: 'text', nullable: true })
  buildKey: string | null;
}

/** The neighbours of one shard of items for one model build. */
@Entity('rec_model_shard')
export class RecModelShard {
  @PrimaryColumn({ type: 'bigint' })
  modelId: string;

  @PrimaryColumn({ type: 'integer' })
  shard: number;

  @Column({ type: 'bytea' })
  data: Buffer;

  @ManyToOne(() => RecModel, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'model_id' })
  model?: RecModel;
}

/** "People who borrowed this also borrowed": the current model's top neighbours per title. */
@Entity('item_similarity')
export class ItemSimilarity {
  @PrimaryColumn({ type: 'bigint' })
  itemId: string;

  @PrimaryColumn({ type: 'smallint' })
  rank: number;

  @Column({ type: 'bigint' })
  similarItemId: string;

  @Column({ type: 'real' })
  score: number;

  @ManyToOne(() => CatalogueItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'item_id' })
  item?: CatalogueItem;

  @ManyToOne(() => CatalogueItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'similar_item_id' })
  similarItem?: CatalogueItem;
}

/** Precomputed popular lists (per branch or overall, per audience, all-time or trending). */
@Entity('popular_item')
export class PopularItem {
  /** e.g. `branch:12:CHILDREN:TRENDING` or `all:ADULT:ALL_TIME`. */
  @PrimaryColumn({ type: 'text' })
  listKey: string;

  @PrimaryColumn({ type: 'smallint' })
  rank: number;

  @Column({ type: 'bigint' })
  itemId: string;

  @Column({ type: 'real' })
  score: number;

  @ManyToOne(() => CatalogueItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'item_id' })
  item?: CatalogueItem;
}
