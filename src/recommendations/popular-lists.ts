import { Audience } from '../catalogue/catalogue.enums';
import type { AgeBand } from '../customers/customer.enums';
import { audienceGroupOf } from './engine/rules';

export type PopularKind = 'ALL_TIME' | 'TRENDING';

/** Which readership's list a customer gets; unknown ages get the general (adult) list. */
export function audienceGroupFor(band: AgeBand | null | undefined): Audience {
  return (band && audienceGroupOf(band)) || Audience.ADULT;
}

/** Audiences whose stock a list for this group may contain: under-18s never see adult stock. */
export function audiencesAllowedFor(group: Audience): Audience[] {
  return group === Audience.ADULT
    ? [Audience.ADULT, Audience.YOUNG_ADULT, Audience.CHILDREN]
    : [Audience.CHILDREN, Audience.YOUNG_ADULT];
}

/** `branch:12:ADULT:TRENDING` or `all:CHILDREN:ALL_TIME`. */
export function popularListKey(
  branchId: string | null,
  group: Audience,
  kind: PopularKind,
): string {
  return `${branchId ? `branch:${branchId}` : 'all'}:${group}:${kind}`;
}

/** Most specific first: the branch's own list, then the service-wide one. */
export function popularListKeys(
  branchId: string | null,
  group: Audience,
  kind: PopularKind,
): string[] {
  const keys = [popularListKey(null, group, kind)];
  if (branchId) keys.unshift(popularListKey(branchId, group, kind));
  return keys;
}
