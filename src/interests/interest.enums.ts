import { registerEnumType } from 'type-graphql';

export enum InterestKind {
  SUBJECT = 'SUBJECT',
  GENRE = 'GENRE',
  AUTHOR = 'AUTHOR',
  FORMAT = 'FORMAT',
  EVENT_TYPE = 'EVENT_TYPE',
  LANGUAGE = 'LANGUAGE',
  SERVICE = 'SERVICE',
}

export enum InterestSource {
  /** Told to us by the customer (or staff on their behalf). */
  DECLARED = 'DECLARED',
  /** Derived from activity by the recommendation workers. */
  INFERRED = 'INFERRED',
}

registerEnumType(InterestKind, { name: 'InterestKind' });
registerEnumType(InterestSource, { name: 'InterestSource' });
