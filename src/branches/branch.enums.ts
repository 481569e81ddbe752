import { registerEnumType } from 'type-graphql';

/** A service point; many are not buildings. */
export enum BranchKind {
  BUILDING = 'BUILDING',
  MOBILE = 'MOBILE',
  ONLINE = 'ONLINE',
  OUTREACH = 'OUTREACH',
}

registerEnumType(BranchKind, { name: 'BranchKind' });
