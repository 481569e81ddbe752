import { ageBandFor } from '../customers/age-band';
import { AgeBand } from '../customers/customer.enums';
import type { CustomerRow } from './generate';

/** Age bands a census extract counts; UNKNOWN is ours, not the census's. */
const CENSUS_BANDS = Object.values(AgeBand).filter((b) => b !== AgeBand.UNKNOWN);

/** A stable number from 0 to 1 for a text, so the same area always gets the same population. */
function unitHash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) / 4294967296;
}

/**
 * A resident-population table for the demo library's postcode areas, as `area,age_band,
 * population` CSV: every area a generated customer lives in, every census age band, with more
 * residents than customers so reach is between a few and about forty per cent, varying by area
 * (some areas well served, some not). Pure: the same customers give the same table.
 */
export function demoPopulationCsv(customers: readonly CustomerRow[], referenceDate: Date): string {
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  for (const c of customers) {
    if (!c.postcode) continue;
    const area = c.postcode.split(' ')[0].toUpperCase();
    seen.add(area);
    const band = ageBandFor(c.birthYear, referenceDate);
    if (band === AgeBand.UNKNOWN) continue;
    counts.set(`${area},${band}`, (counts.get(`${area},${band}`) ?? 0) + 1);
  }
  const areas = [...seen].sort();
  const lines = ['area,age_band,population'];
  for (const area of areas) {
    // Residents per customer: 2.5 in the best-served areas, up to 30 in the least served.
    const perCustomer = 2.5 + 27.5 * unitHash(area) ** 2;
    for (const band of CENSUS_BANDS) {
      const customersHere = counts.get(`${area},${band}`) ?? 0;
      const residents = Math.round(
        40 + customersHere * perCustomer * (0.8 + 0.4 * unitHash(band + area)),
      );
      lines.push(`${area},${band},${residents}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
