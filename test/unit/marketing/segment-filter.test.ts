import { DomainError } from '../../../src/common/errors';
import {
  filterJson,
  parseSegmentFilter,
  referencedIds,
} from '../../../src/marketing/segments/segment-filter';

const problems = (input: unknown) => {
  try {
    parseSegmentFilter(input);
  } catch (err) {
    if (err instanceof DomainError) return err.problems.map((p) => `${p.field}:${p.rule}`);
    throw err;
  }
  return [];
};

describe('parseSegmentFilter', () => {
  it('accepts a nested filter and drops the nulls GraphQL sends', () => {
    const f = parseSegmentFilter({
      kinds: ['BORROWER'],
      ageBands: null,
      or: [
        { activity: { types: ['LOAN'], lastDays: 30, from: null } },
        { postcodeAreas: [' ls6 '] },
      ],
    });
    expect(f).toEqual({
      kinds: ['BORROWER'],
      or: [{ activity: { types: ['LOAN'], lastDays: 30 } }, { postcodeAreas: ['LS6'] }],
    });
  });

  it('stores dates as ISO 8601 and reads them back the same', () => {
    const f = parseSegmentFilter({ registered: { from: new Date('2026-01-01T00:00:00Z') } });
    const json = filterJson(f);
    expect(json).toEqual({ registered: { from: '2026-01-01T00:00:00.000Z' } });
    expect(parseSegmentFilter(json)).toEqual(f);
  });

  it('refuses empty nodes, empty lists and unknown fields, naming the path', () => {
    expect(problems({})).toEqual(['filter:custom']);
    expect(problems({ and: [{}] })).toEqual(['filter.and.0:custom']);
    expect(problems({ kinds: [] })).toEqual(['filter.kinds:too_small']);
    expect(problems({ kinds: ['BORROWER'], shoeSize: 9 })).toEqual(['filter:unrecognized_keys']);
    expect(problems({ kinds: ['ASTRONAUT'] })).toEqual(['filter.kinds.0:invalid_value']);
  });

  it('checks periods: one of lastDays or from/to, and from before to', () => {
    expect(problems({ registered: {} })).toEqual(['filter.registered:custom']);
    expect(problems({ registered: { lastDays: 3, to: '2026-01-01T00:00:00Z' } })).toEqual([
      'filter.registered.lastDays:custom',
    ]);
    expect(
      problems({ activity: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } }),
    ).toEqual(['filter.activity.to:custom']);
    expect(problems({ activity: { from: 'yesterday' } })).toEqual([
      'filter.activity.from:invalid_type',
    ]);
    expect(problems({ noActivity: { since: '2026-01-01T00:00:00Z', lastDays: 2 } })).toEqual([
      'filter.noActivity.since:custom',
    ]);
  });

  it('refuses counting corrections, malformed ids and consent channels that do not fit', () => {
    expect(problems({ activity: { types: ['CORRECTION'] } })).toEqual([
      'filter.activity.types:custom',
    ]);
    expect(problems({ homeBranchIds: ['0'] })).toEqual(['filter.homeBranchIds.0:invalid_format']);
    expect(problems({ consent: { purpose: 'PERSONALISATION', channel: 'EMAIL' } })).toEqual([
      'filter.consent.channel:custom',
    ]);
  });

  it('bounds depth and size', () => {
    let deep: unknown = { kinds: ['GROUP'] };
    for (let i = 0; i < 6; i++) deep = { not: deep };
    expect(problems(deep)).toEqual(['filter.not.not.not.not.not.not:max_depth']);
    const wide = { or: Array.from({ length: 61 }, () => ({ kinds: ['GROUP'] })) };
    expect(problems(wide)).toEqual(['filter:max_nodes']);
  });

  it('lists every id it refers to, by what it names', () => {
    const refs = referencedIds(
      parseSegmentFilter({
        homeBranchIds: ['1'],
        or: [
          { activity: { subjectIds: ['5'], branchIds: ['2'] } },
          { attended: { eventIds: ['9'], topicIds: ['6'] } },
          { not: { interests: { interestIds: ['7'] } } },
        ],
      }),
    );
    expect(refs).toEqual({
      branches: new Set(['1', '2']),
      interests: new Set(['5', '6', '7']),
      events: new Set(['9']),
    });
  });
});
