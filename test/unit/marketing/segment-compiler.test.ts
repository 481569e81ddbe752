import { ageBandFor } from '../../../src/customers/age-band';
import { AgeBand } from '../../../src/customers/customer.enums';
import {
  birthYearRange,
  compileSegment,
  resolvePeriod,
} from '../../../src/marketing/segments/segment-compiler';
import { parseSegmentFilter } from '../../../src/marketing/segments/segment-filter';

const NOW = new Date('2026-06-15T12:00:00Z');
const compile = (filter: unknown, paramOffset = 0) =>
  compileSegment(parseSegmentFilter(filter), { now: NOW, paramOffset });

describe('compileSegment', () => {
  it('turns customer fields into parameterised predicates', () => {
    const { sql, params } = compile({ kinds: ['BORROWER', 'MEMBER'], statuses: ['ACTIVE'] });
    expect(sql).toBe(
      '(c.kind = ANY($1::customer_kind[]) AND c.status = ANY($2::customer_status[]))',
    );
    expect(params).toEqual([['BORROWER', 'MEMBER'], ['ACTIVE']]);
  });

  it('numbers parameters after the caller’s own', () => {
    const { sql, params } = compile({ homeBranchIds: ['7'] }, 3);
    expect(sql).toBe('coalesce(c.home_branch_id = ANY($4::bigint[]), false)');
    expect(params).toEqual([['7']]);
  });

  it('never puts a value into the SQL text', () => {
    const { sql, params } = compile({
      postcodeAreas: ['LS6', 'bd'],
      activity: { subjectIds: ['42'], branchIds: ['9'], from: '2026-01-01T00:00:00Z', atLeast: 3 },
      consent: { purpose: 'MARKETING', channel: 'EMAIL' },
    });
    for (const value of ['LS6', 'BD', '42', '2026', 'MARKETING', 'EMAIL']) {
      expect(sql).not.toContain(value);
    }
    expect(params).toEqual(
      expect.arrayContaining([['LS6'], ['BD'], ['42'], ['9'], 3, 'MARKETING', 'EMAIL']),
    );
    expect(sql.match(/\$\d+/g)!.length).toBeGreaterThanOrEqual(params.length);
  });

  it('nests and, or and not', () => {
    const { sql } = compile({
      or: [{ kinds: ['GROUP'] }, { not: { statuses: ['LAPSED'] } }],
      and: [{ ageBands: ['UNKNOWN'] }],
    });
    expect(sql).toBe(
      '(c.birth_year IS NULL AND (c.kind = ANY($1::customer_kind[]) OR ' +
        'NOT (c.status = ANY($2::customer_status[]))))',
    );
  });

  it('makes ledger conditions set lookups that never yield NULL, so NOT keeps its meaning', () => {
    const { sql, params } = compile({ noActivity: { types: ['LOAN'], lastDays: 365 } });
    expect(sql).toMatch(/^NOT \(c\.id IN \(SELECT a\.customer_id FROM activity a/);
    expect(sql).toContain('a.customer_id IS NOT NULL');
    expect(sql).toContain("a.type <> 'CORRECTION'");
    expect(params[1]).toEqual(new Date(NOW.getTime() - 365 * 86_400_000));
  });

  it('counts entries with atLeast through GROUP BY ... HAVING, and a single one without', () => {
    expect(compile({ activity: { types: ['LOAN'], atLeast: 4 } }).sql).toContain(
      'GROUP BY a.customer_id HAVING count(*) >= $2::int',
    );
    expect(compile({ activity: { types: ['LOAN'] } }).sql).not.toContain('HAVING');
  });

  it('reads consent from the latest ledger row for the purpose and channel', () => {
    const given = compile({ consent: { purpose: 'SERVICE_MESSAGES', channel: 'SMS' } });
    expect(given.sql).toContain('DISTINCT ON (cr.customer_id)');
    expect(given.sql).toContain('ORDER BY cr.customer_id, cr.recorded_at DESC, cr.id DESC');
    expect(given.params).toEqual(['SERVICE_MESSAGES', 'SMS']);
    const notGiven = compile({ consent: { purpose: 'PERSONALISATION', granted: false } });
    expect(notGiven.sql.startsWith('NOT (c.id IN')).toBe(true);
    expect(notGiven.params).toEqual(['PERSONALISATION', null]);
  });

  it('requires every interest for match ALL, any for ANY', () => {
    expect(compile({ interests: { interestIds: ['1', '2', '2'], match: 'ALL' } }).params).toEqual([
      ['1', '2'],
      2,
    ]);
    expect(compile({ interests: { interestIds: ['1', '2'] } }).sql).not.toContain('HAVING');
  });

  it('is the same for the same filter and clock', () => {
    const filter = { or: [{ kinds: ['BORROWER'] }, { activity: { lastDays: 30 } }] };
    expect(compile(filter)).toEqual(compile(filter));
  });
});

describe('age bands as birth years', () => {
  const bands = Object.values(AgeBand).filter((b) => b !== AgeBand.UNKNOWN) as Array<
    Exclude<AgeBand, AgeBand.UNKNOWN>
  >;

  it('gives exactly the birth years ageBandFor puts in each band', () => {
    for (let year = 1900; year <= NOW.getUTCFullYear() + 1; year++) {
      const band = ageBandFor(year, NOW) as Exclude<AgeBand, AgeBand.UNKNOWN>;
      for (const b of bands) {
        const { min, max } = birthYearRange(b, NOW);
        const inRange = (min === null || year >= min) && (max === null || year <= max);
        expect({ year, band: b, inRange }).toEqual({ year, band: b, inRange: b === band });
      }
    }
  });
});

describe('periods', () => {
  it('resolves lastDays against the clock and leaves fixed periods alone', () => {
    expect(resolvePeriod({ lastDays: 2 }, NOW)).toEqual({
      from: new Date('2026-06-13T12:00:00Z'),
      to: null,
    });
    const from = new Date('2026-01-01T00:00:00Z');
    expect(resolvePeriod({ from }, NOW)).toEqual({ from, to: null });
  });
});
