import { DomainError } from '../../src/common/errors';
import { AgeBand } from '../../src/customers/customer.enums';
import {
  disclosureThresholdFromEnv,
  effectiveThreshold,
  suppressSmallCells,
} from '../../src/insights/disclosure';
import { demandRanking, rankReach } from '../../src/insights/insights.shape';
import { parsePopulationCsv } from '../../src/insights/population';

describe('suppressSmallCells', () => {
  const rows = [
    { key: 'none', entries: 0, rate: 0, people: 0 },
    { key: 'one', entries: 9, rate: 0.5, people: 1 },
    { key: 'four', entries: 4, rate: 0.25, people: 4 },
    { key: 'five', entries: 12, rate: 0.75, people: 5 },
  ];

  it('nulls the values of cells describing 1 to threshold-1 people and marks them', () => {
    const out = suppressSmallCells(rows, ['entries', 'rate'], 5);
    expect(out).toEqual([
      { key: 'none', entries: 0, rate: 0, suppressed: false },
      { key: 'one', entries: null, rate: null, suppressed: true },
      { key: 'four', entries: null, rate: null, suppressed: true },
      { key: 'five', entries: 12, rate: 0.75, suppressed: false },
    ]);
  });

  it('never lets the people count leave the function', () => {
    for (const row of suppressSmallCells(rows, ['entries'], 5))
      expect(row).not.toHaveProperty('people');
  });

  it('keeps values that are not named, such as labels', () => {
    expect(suppressSmallCells(rows, ['entries'], 5)[1]).toMatchObject({ key: 'one', rate: 0.5 });
  });
});

describe('disclosure threshold', () => {
  it('defaults to 5 and reads DISCLOSURE_THRESHOLD', () => {
    expect(disclosureThresholdFromEnv({})).toBe(5);
    expect(disclosureThresholdFromEnv({ DISCLOSURE_THRESHOLD: '10' })).toBe(10);
  });

  it('refuses a threshold that is not a whole number of people, naming the variable', () => {
    expect(() => disclosureThresholdFromEnv({ DISCLOSURE_THRESHOLD: '0' })).toThrow(
      /DISCLOSURE_THRESHOLD/,
    );
    expect(() => disclosureThresholdFromEnv({ DISCLOSURE_THRESHOLD: 'x' })).toThrow(
      /DISCLOSURE_THRESHOLD/,
    );
  });

  it('lets a request raise the threshold but not lower it', () => {
    expect(effectiveThreshold(5)).toBe(5);
    expect(effectiveThreshold(5, 8)).toBe(8);
    expect(() => effectiveThreshold(5, 4)).toThrow(DomainError);
  });
});

describe('parsePopulationCsv', () => {
  it('reads good rows and upper-cases areas', () => {
    expect(parsePopulationCsv('area,age_band,population\nls1,ADULT_25_44,1200\n')).toEqual([
      { area: 'LS1', ageBand: AgeBand.ADULT_25_44, population: 1200 },
    ]);
  });

  it('lists every bad line at once', () => {
    const csv = [
      'area,age_band,population',
      'LS1,ADULT_25_44,100',
      'LS1 4AB,ADULT_25_44,100',
      'LS2,GROWN_UP,100',
      'LS3,TEEN_12_17,0',
      'LS4,TEEN_12_17,2.5',
      'LS1,ADULT_25_44,50',
    ].join('\n');
    try {
      parsePopulationCsv(csv);
      throw new Error('expected a rejection');
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).problems.map((p) => [p.field, p.rule])).toEqual([
        ['csv.line3', 'area'],
        ['csv.line4', 'age_band'],
        ['csv.line5', 'population'],
        ['csv.line6', 'population'],
        ['csv.line7', 'duplicate'],
      ]);
    }
  });

  it('refuses a file without the expected header', () => {
    expect(() => parsePopulationCsv('LS1,ADULT_25_44,100')).toThrow(/first line/);
  });
});

describe('ranking', () => {
  it('ranks reach least served first, with suppressed rows first and unrated rows last', () => {
    const rows = rankReach(
      [
        { area: 'LS9', ageBand: AgeBand.ADULT_25_44, population: null, activeCustomers: 7 },
        { area: 'LS1', ageBand: AgeBand.ADULT_25_44, population: 100, activeCustomers: 50 },
        { area: 'LS2', ageBand: AgeBand.ADULT_25_44, population: 100, activeCustomers: 10 },
        { area: 'LS3', ageBand: AgeBand.ADULT_25_44, population: 100, activeCustomers: 2 },
      ],
      5,
    );
    expect(rows.map((r) => [r.rank, r.area, r.penetrationRate])).toEqual([
      [1, 'LS3', null],
      [2, 'LS2', 0.1],
      [3, 'LS1', 0.5],
      [4, 'LS9', null],
    ]);
  });

  it('lists demand by holds per available copy and leaves out suppressed rows', () => {
    const base = {
      branchId: '1',
      subjectId: '1',
      copies: 1,
      copiesAvailable: 1,
      loans: 0,
      loansPerCopy: 0,
    };
    const rows = demandRanking(
      [
        { ...base, subject: 'A', holds: 6, holdsPerAvailableCopy: 6, suppressed: false },
        { ...base, subject: 'B', holds: null, holdsPerAvailableCopy: null, suppressed: true },
        { ...base, subject: 'C', holds: 9, holdsPerAvailableCopy: 9, suppressed: false },
      ],
      5,
    );
    expect(rows.map((r) => r.subject)).toEqual(['C', 'A']);
  });
});
