/** Reach by postcode area, from the API's area × age band rows. Pure, so unit-tested. */

export interface ReachRow {
  area: string;
  ageBand: string;
  activeCustomers: number | null;
  population: number | null;
  penetrationRate: number | null;
  rank: number;
  suppressed: boolean;
}

export interface AreaReach {
  area: string;
  active: number | null;
  population: number | null;
  rate: number | null;
  /** Age bands left out because their figure is withheld. */
  withheldBands: number;
}

/**
 * Areas for one age band, or all bands together. Bands whose figure is withheld are left out
 * of both sides of an area's rate (never guessed), and the table says how many were.
 */
export function reachByArea(rows: ReachRow[], band: string): AreaReach[] {
  const areas = new Map<string, ReachRow[]>();
  for (const r of rows) {
    if (band !== 'ALL' && r.ageBand !== band) continue;
    areas.set(r.area, [...(areas.get(r.area) ?? []), r]);
  }
  const out: AreaReach[] = [];
  for (const [area, cells] of areas) {
    const shown = cells.filter(
      (c) => !c.suppressed && c.activeCustomers !== null && c.population !== null,
    );
    const active = shown.length ? shown.reduce((s, c) => s + (c.activeCustomers ?? 0), 0) : null;
    const population = shown.length ? shown.reduce((s, c) => s + (c.population ?? 0), 0) : null;
    out.push({
      area,
      active,
      population,
      rate: active !== null && population ? active / population : null,
      withheldBands: cells.filter((c) => c.suppressed).length,
    });
  }
  return out.sort(
    (a, b) =>
      (a.rate ?? Number.POSITIVE_INFINITY) - (b.rate ?? Number.POSITIVE_INFINITY) ||
      a.area.localeCompare(b.area),
  );
}
