import { type ReachRow, reachByArea } from '../../../web/src/lib/reach';

const row = (area: string, ageBand: string, active: number | null, population: number | null) =>
  ({
    area,
    ageBand,
    activeCustomers: active,
    population,
    penetrationRate: active !== null && population ? active / population : null,
    rank: 0,
    suppressed: active === null,
  }) satisfies ReachRow;

const rows = [
  row('LS1', 'ADULT_25_44', 50, 500),
  row('LS1', 'ADULT_45_64', 30, 300),
  row('LS2', 'ADULT_25_44', 10, 1000),
  row('LS2', 'ADULT_45_64', null, 400),
  row('LS3', 'ADULT_25_44', null, 200),
];

describe('reach by area in the console', () => {
  it('adds age bands up per area and ranks the least served first', () => {
    const areas = reachByArea(rows, 'ALL');
    expect(areas.map((a) => a.area)).toEqual(['LS2', 'LS1', 'LS3']);
    expect(areas[1]).toEqual({
      area: 'LS1',
      active: 80,
      population: 800,
      rate: 0.1,
      withheldBands: 0,
    });
  });

  it('leaves a withheld band out of both sides of the rate, and counts it', () => {
    const ls2 = reachByArea(rows, 'ALL').find((a) => a.area === 'LS2');
    expect(ls2).toEqual({
      area: 'LS2',
      active: 10,
      population: 1000,
      rate: 0.01,
      withheldBands: 1,
    });
  });

  it('gives no figure for an area whose every band is withheld', () => {
    const ls3 = reachByArea(rows, 'ALL').find((a) => a.area === 'LS3');
    expect(ls3).toEqual({
      area: 'LS3',
      active: null,
      population: null,
      rate: null,
      withheldBands: 1,
    });
  });

  it('shows one age band on its own', () => {
    const areas = reachByArea(rows, 'ADULT_45_64');
    expect(areas.map((a) => [a.area, a.rate])).toEqual([
      ['LS1', 0.1],
      ['LS2', null],
    ]);
  });
});
