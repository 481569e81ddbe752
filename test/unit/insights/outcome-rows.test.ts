import { outcomeRows } from '../../../src/insights/insights.shape';
import type { RawOutcomeCell } from '../../../src/insights/insights.repository';

const cell = (over: Partial<RawOutcomeCell>): RawOutcomeCell => ({
  period: new Date('2026-11-01T00:00:00Z'),
  branchId: null,
  list: 'PERSONAL',
  shown: 200,
  clicked: 20,
  borrowed: 10,
  peopleShown: 40,
  peopleClicked: 12,
  peopleBorrowed: 8,
  ...over,
});

describe('outcomeRows', () => {
  it('gives click- and borrow-through as shares of what was shown', () => {
    const [row] = outcomeRows([cell({})], 5);
    expect(row).toEqual(
      expect.objectContaining({ shown: 200, clickThroughRate: 0.1, borrowThroughRate: 0.05 }),
    );
    expect(row.suppressed).toBe(false);
  });

  it('withholds a count that too few people stand behind, and its rate', () => {
    const [row] = outcomeRows([cell({ borrowed: 6, peopleBorrowed: 2 })], 5);
    expect([row.borrowed, row.borrowThroughRate]).toEqual([null, null]);
    expect(row.clicked).toBe(20);
  });

  it('suppresses a whole row describing too few people, but shows zeros', () => {
    const [small] = outcomeRows([cell({ peopleShown: 4 })], 5);
    expect(small).toEqual(
      expect.objectContaining({ shown: null, clicked: null, suppressed: true }),
    );
    const [none] = outcomeRows([cell({ clicked: 0, peopleClicked: 0 })], 5);
    expect([none.clicked, none.clickThroughRate]).toEqual([0, 0]);
  });
});
