import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Interest } from '../interests/interest.entity';
import { LibraryEvent } from './event.entity';

/** Links an event to its topics in the shared interest taxonomy. */
@Entity('event_topic')
@Index('event_topic_interest_idx', ['interestId'])
export class EventTopic {
  @PrimaryColumn({ type: 'bigint' })
  eventId: string;

  @PrimaryColumn({ type: 'bigint' })
  interestId: string;

  @ManyToOne(() => LibraryEvent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: LibraryEvent;

  @ManyToOne(() => Interest, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'interest_id' })
  interest?: Interest;
}
