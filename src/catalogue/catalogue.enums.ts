import { registerEnumType } from 'type-graphql';

export enum ItemFormat {
  BOOK = 'BOOK',
  EBOOK = 'EBOOK',
  AUDIOBOOK = 'AUDIOBOOK',
  LARGE_PRINT = 'LARGE_PRINT',
  DVD = 'DVD',
  MUSIC = 'MUSIC',
  MAGAZINE = 'MAGAZINE',
  OTHER = 'OTHER',
}

/** Intended readership; used to keep adult stock away from children. */
export enum Audience {
  ADULT = 'ADULT',
  YOUNG_ADULT = 'YOUNG_ADULT',
  CHILDREN = 'CHILDREN',
}

registerEnumType(ItemFormat, { name: 'ItemFormat', description: 'Physical or digital format.' });
registerEnumType(Audience, { name: 'Audience', description: 'Intended readership of a title.' });
