import { type Builder, emptyCondition, fromFilter, toFilter } from '../../../web/src/lib/segment';

const row = (key: number, condition: Builder['rows'][number]['condition'], exclude = false) => ({
  key,
  exclude,
  condition,
});

describe('the segment builder', () => {
  it('sends one condition as it is, and several as all-of or any-of', () => {
    const kinds = row(1, { type: 'kinds', values: ['BORROWER'] });
    const lapsed = row(2, { type: 'noActivity', types: [], lastDays: 180 });
    expect(toFilter({ combine: 'ALL', rows: [kinds] }).filter).toEqual({ kinds: ['BORROWER'] });
    expect(toFilter({ combine: 'ALL', rows: [kinds, lapsed] }).filter).toEqual({
      and: [{ kinds: ['BORROWER'] }, { noActivity: { lastDays: 180 } }],
    });
    expect(toFilter({ combine: 'ANY', rows: [kinds, lapsed] }).filter).toEqual({
      or: [{ kinds: ['BORROWER'] }, { noActivity: { lastDays: 180 } }],
    });
  });

  it('wraps a left-out condition in not', () => {
    const consent = row(
      1,
      { type: 'consent', purpose: 'MARKETING', channel: 'EMAIL', granted: true },
      true,
    );
    expect(toFilter({ combine: 'ALL', rows: [consent] }).filter).toEqual({
      not: { consent: { purpose: 'MARKETING', channel: 'EMAIL', granted: true } },
    });
  });

  it('names what an unfinished condition still needs, and sends nothing meanwhile', () => {
    const out = toFilter({
      combine: 'ALL',
      rows: [row(1, emptyCondition('kinds')), row(2, { type: 'postcodeAreas', text: ' ,' })],
    });
    expect(out.filter).toBeNull();
    expect(out.problems).toEqual([
      'Condition 1: choose at least one kind of customer',
      'Condition 2: type at least one postcode area, such as LS6',
    ]);
    expect(toFilter({ combine: 'ALL', rows: [] }).problems).toEqual(['Add a condition to start']);
  });

  it('writes activity with only what was set, and postcode areas in capitals', () => {
    const activity = row(1, {
      type: 'activity',
      types: ['LOAN'],
      subjects: [{ id: '7', label: 'Crime' }],
      lastDays: 90,
      atLeast: 3,
    });
    const areas = row(2, { type: 'postcodeAreas', text: 'ls6, bd3' });
    expect(toFilter({ combine: 'ALL', rows: [activity, areas] }).filter).toEqual({
      and: [
        { activity: { types: ['LOAN'], subjectIds: ['7'], lastDays: 90, atLeast: 3 } },
        { postcodeAreas: ['LS6', 'BD3'] },
      ],
    });
  });

  it('reads back what it wrote, with the interest names it was told', () => {
    const b: Builder = {
      combine: 'ANY',
      rows: [
        row(1, { type: 'interests', interests: [{ id: '7', label: 'Crime' }], match: 'ALL' }),
        row(2, { type: 'ageBands', values: ['ADULT_65_PLUS'] }, true),
        row(3, { type: 'attended', topics: [], lastDays: 30, atLeast: 2 }),
      ],
    };
    const back = fromFilter(toFilter(b).filter!, new Map([['7', 'Crime']]));
    expect(back).toEqual(b);
  });

  it('declines a filter it cannot show, such as nested groups', () => {
    expect(
      fromFilter({ and: [{ or: [{ kinds: ['BORROWER'] }, { statuses: ['ACTIVE'] }] }] }),
    ).toBeNull();
    expect(fromFilter({ activity: { from: '2026-01-01T00:00:00Z' } })).toBeNull();
  });
});
