import { generateDemoLibrary } from '../../../src/demo/generate';
import { demoPopulationCsv } from '../../../src/demo/population';
import { parsePopulationCsv } from '../../../src/insights/population';

const library = generateDemoLibrary({
  seed: 5,
  branches: 5,
  customers: 300,
  items: 50,
  events: 5,
  activities: 10,
});
const at = library.options.referenceDate;

describe('demo population table', () => {
  it('is accepted by the population importer, with every census band for every area', () => {
    const rows = parsePopulationCsv(demoPopulationCsv(library.customers, at));
    const areas = new Set(rows.map((r) => r.area));
    expect(areas.size).toBeGreaterThan(3);
    expect(rows).toHaveLength(areas.size * 7);
    expect(rows.some((r) => r.ageBand === 'UNKNOWN')).toBe(false);
  });

  it('counts more residents than customers in every area and band', () => {
    const rows = parsePopulationCsv(demoPopulationCsv(library.customers, at));
    const customers = new Map<string, number>();
    for (const c of library.customers) {
      if (!c.postcode) continue;
      const area = c.postcode.split(' ')[0];
      customers.set(area, (customers.get(area) ?? 0) + 1);
    }
    const residents = new Map<string, number>();
    for (const r of rows) residents.set(r.area, (residents.get(r.area) ?? 0) + r.population);
    for (const [area, n] of customers) expect(residents.get(area)).toBeGreaterThan(n);
  });

  it('gives the same table for the same customers', () => {
    expect(demoPopulationCsv(library.customers, at)).toBe(demoPopulationCsv(library.customers, at));
  });
});
