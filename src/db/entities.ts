import { Activity } from '../activity/activity.entity';
import { AuditEntry } from '../audit/audit-entry.entity';
import { ConsentRecord } from '../consent/consent-record.entity';
import { Branch } from '../branches/branch.entity';
import { CatalogueItem } from '../catalogue/catalogue-item.entity';
import { Holding } from '../catalogue/holding.entity';
import { ItemInterest } from '../catalogue/item-interest.entity';
import { Customer } from '../customers/customer.entity';
import { EventTopic } from '../events/event-topic.entity';
import { LibraryEvent } from '../events/event.entity';
import { CustomerInterest } from '../interests/customer-interest.entity';
import { Interest } from '../interests/interest.entity';
import {
  ItemSimilarity,
  PopularItem,
  RecModel,
  RecModelShard,
  RecommendationDismissal,
} from '../recommendations/recommendation.entities';

/** Every TypeORM entity; the migration check compares these against the migrated schema. */
export const ENTITIES = [
  Branch,
  Interest,
  Customer,
  CustomerInterest,
  CatalogueItem,
  ItemInterest,
  Holding,
  LibraryEvent,
  EventTopic,
  Activity,
  RecommendationDismissal,
  RecModel,
  RecModelShard,
  ItemSimilarity,
  PopularItem,
  ConsentRecord,
  AuditEntry,
];
