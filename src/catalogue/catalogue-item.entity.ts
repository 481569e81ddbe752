import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Audience, ItemFormat } from './catalogue.enums';

/** A title in the catalogue (not a copy: copies are counted per branch in holdings). */
@ObjectType({ description: 'A title in the catalogue.' })
@Entity('catalogue_item')
@Index('catalogue_item_added_idx', ['addedAt'])
// Trigram indexes for title and author search; created in SQL by the migration.
@Index('catalogue_item_title_trgm_idx', { synchronize: false })
@Index('catalogue_item_authors_trgm_idx', { synchronize: false })
export class CatalogueItem {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Field()
  @Column({ type: 'text', unique: true })
  externalId: string;

  @Field()
  @Column({ type: 'text' })
  title: string;

  @Field(() => [String], { description: 'Authors in the order given on the title page.' })
  @Column({ type: 'text', array: true, default: '{}' })
  authors: string[];

  @Field(() => ItemFormat)
  @Column({ type: 'enum', enum: ItemFormat, enumName: 'item_format', default: ItemFormat.BOOK })
  format: ItemFormat;

  @Field(() => Audience)
  @Column({ type: 'enum', enum: Audience, enumName: 'audience', default: Audience.ADULT })
  audience: Audience;

  @Field(() => String, { nullable: true, description: 'ISO 639-1 code.' })
  @Column({ type: 'text', nullable: true })
  language: string | null;

  @Field(() => Int, { nullable: true })
  @Column({ type: 'smallint', nullable: true })
  publishedYear: number | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  isbn: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  series: string | null;

  @Field({ description: 'When the title joined the collection; drives "new arrival".' })
  @Column({ type: 'timestamptz', default: () => 'now()' })
  addedAt: Date;

  @Field(() => GraphQLJSONObject)
  @Column({ type: 'jsonb', default: {} })
  attributes: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
