import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';

/** Why a title or event is suggested. */
export enum ReasonKind {
  BORROWED_SIMILAR = 'BORROWED_SIMILAR',
  INTEREST = 'INTEREST',
  ATTENDED_EVENT = 'ATTENDED_EVENT',
  POPULAR = 'POPULAR',
  POPULAR_AT_BRANCH = 'POPULAR_AT_BRANCH',
  POPULAR_WITH_AUDIENCE = 'POPULAR_WITH_AUDIENCE',
  TRENDING = 'TRENDING',
  NEW_ARRIVAL = 'NEW_ARRIVAL',
  AVAILABLE_AT_BRANCH = 'AVAILABLE_AT_BRANCH',
  AT_YOUR_BRANCH = 'AT_YOUR_BRANCH',
  UPCOMING = 'UPCOMING',
}
registerEnumType(ReasonKind, { name: 'ReasonKind', description: 'Why something is suggested.' });

export enum SuggestionSourceKind {
  /** Computed for this customer by the recommendation workers. */
  PERSONAL = 'PERSONAL',
  /** Not computed yet: popular at their branch for their age group; a refresh is on its way. */
  POPULAR_FALLBACK = 'POPULAR_FALLBACK',
  /** The customer chose no personalisation (mode OFF). */
  GENERIC = 'GENERIC',
}
registerEnumType(SuggestionSourceKind, { name: 'SuggestionSource' });

/** Resolved by field resolvers from the ids held in the cache. */
@ObjectType({ description: 'One reason, as data and as a sentence to show.' })
export class RecommendationReason {
  @Field(() => ReasonKind)
  kind: ReasonKind;

  @Field({ description: 'E.g. "Because you borrowed The Hobbit".' })
  text: string;

  itemId?: string;
  eventId?: string;
  branchId?: string;
  interestKind?: string;
  interestLabel?: string;
}

@ObjectType({ description: 'A suggested title with why.' })
export class Recommendation {
  itemId: string;

  @Field(() => Float, { description: 'Comparable within one list only.' })
  score: number;

  @Field(() => [RecommendationReason], { description: 'Most important first; never empty.' })
  reasons: RecommendationReason[];
}

@ObjectType({ description: 'A suggested event with why.' })
export class EventRecommendation {
  eventId: string;

  @Field(() => Float)
  score: number;

  @Field(() => [RecommendationReason])
  reasons: RecommendationReason[];
}

@ObjectType({ description: 'A title from a popular or similar-titles list.' })
export class RankedItem {
  itemId: string;

  @Field(() => Float)
  score: number;
}
