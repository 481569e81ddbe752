import type { Impression } from '../../../src/recommendations/impression.repository';
import { foldImpressions, impressionsOf } from '../../../src/recommendations/impression.recorder';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 1) + ms);
const shown = (itemId: string, rank: number, ms = 0): Impression => ({
  customerId: '7',
  itemId,
  source: 'PERSONAL',
  branchId: '1',
  rank,
  shownAt: at(ms),
  shows: 1,
});

describe('impressionsOf', () => {
  it('ranks a personal list from 1 and keeps the home branch', () => {
    const list = { source: 'PERSONAL' as const, items: [{ itemId: 'a' }, { itemId: 'b' }] as any };
    expect(impressionsOf({ id: '7', homeBranchId: '3' }, list, at(0))).toEqual([
      expect.objectContaining({ itemId: 'a', rank: 1, branchId: '3', source: 'PERSONAL' }),
      expect.objectContaining({ itemId: 'b', rank: 2 }),
    ]);
  });

  it('remembers nothing of a generic list', () => {
    const list = { source: 'GENERIC' as const, items: [{ itemId: 'a' }] as any };
    expect(impressionsOf({ id: '7', homeBranchId: null }, list, at(0))).toEqual([]);
  });
});

describe('foldImpressions', () => {
  it('folds repeated showings into one pair with the best rank and a count', () => {
    const buffer = new Map<string, Impression>();
    foldImpressions(buffer, new Map(), [shown('a', 3)], 60_000);
    foldImpressions(buffer, new Map(), [shown('a', 1, 1000), shown('b', 2, 1000)], 60_000);
    expect(buffer.get('7:a')).toEqual(
      expect.objectContaining({ rank: 1, shows: 2, shownAt: at(0) }),
    );
    expect(buffer.get('7:b')).toEqual(expect.objectContaining({ rank: 2, shows: 1 }));
  });

  it('skips a pair written within the quiet period and takes it again after', () => {
    const recent = new Map([['7:a', at(0).getTime()]]);
    const buffer = new Map<string, Impression>();
    foldImpressions(buffer, recent, [shown('a', 1, 59_000)], 60_000);
    expect(buffer.size).toBe(0);
    foldImpressions(buffer, recent, [shown('a', 1, 60_000)], 60_000);
    expect(buffer.size).toBe(1);
  });
});
