import { CoreModel1764790000000 } from './1764790000000-core-model';
import { Recommendations1764800000000 } from './1764800000000-recommendations';
import { Trust1764810000000 } from './1764810000000-trust';
import { Insights1764820000000 } from './1764820000000-insights';
import { Marketing1764830000000 } from './1764830000000-marketing';
import { Outbox1764840000000 } from './1764840000000-outbox';
import { RecommendationOutcomes1764850000000 } from './1764850000000-recommendation-outcomes';

/** Every migration, oldest first. A new migration file must be added here too. */
export const MIGRATIONS = [
  CoreModel1764790000000,
  Recommendations1764800000000,
  Trust1764810000000,
  Insights1764820000000,
  Marketing1764830000000,
  Outbox1764840000000,
  RecommendationOutcomes1764850000000,
];
