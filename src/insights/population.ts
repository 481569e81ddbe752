import { parse } from 'csv-parse/sync';
import { DomainError, ErrorCode, type FieldProblem } from '../common/errors';
import { AgeBand } from '../customers/customer.enums';

/** One row of the resident population table. */
export interface PopulationRow {
  area: string;
  ageBand: AgeBand;
  population: number;
}

const HEADER = ['area', 'age_band', 'population'];
/** A UK postcode outward code: area letters, district digit, optional sub-district character. */
const OUTWARD_CODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?$/;
const AGE_BANDS = new Set<string>(Object.values(AgeBand));
const MAX_POPULATION = 2_147_483_647;

/**
 * Parses and checks a population extract (`area,age_band,population`, header first). Every bad
 * line is reported at once, so the file can be fixed in one pass; any problem rejects it whole.
 * Areas are upper-cased; the same area and band twice is an error rather than a silent sum.
 */
export function parsePopulationCsv(csv: string): PopulationRow[] {
  let records: string[][];
  try {
    records = parse(csv, { skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (err) {
    const reason = (err as Error).message;
    throw DomainError.badInput('csv', 'csv_syntax', `not readable as CSV: ${reason}`);
  }
  const [header, ...lines] = records;
  if (!header || header.map((h) => h.toLowerCase()).join(',') !== HEADER.join(',')) {
    throw DomainError.badInput('csv', 'header', `the first line must be ${HEADER.join(',')}`);
  }
  if (lines.length === 0) throw DomainError.badInput('csv', 'empty', 'the file has no data lines');

  const problems: FieldProblem[] = [];
  const rows: PopulationRow[] = [];
  const seen = new Set<string>();
  lines.forEach((cells, i) => {
    // Line numbers count the header as line 1, as a spreadsheet shows them.
    const line = i + 2;
    const bad = (rule: string, message: string) =>
      problems.push({ field: `csv.line${line}`, rule, message: `line ${line}: ${message}` });
    if (cells.length !== 3) return bad('columns', `expected 3 values, found ${cells.length}`);
    const [rawArea, band, rawCount] = cells;
    const area = rawArea.toUpperCase();
    let ok = true;
    if (!OUTWARD_CODE.test(area)) {
      bad('area', `area "${rawArea}" is not a postcode outward code such as LS1`);
      ok = false;
    }
    if (!AGE_BANDS.has(band)) {
      bad('age_band', `age_band "${band}" is not one of ${[...AGE_BANDS].join(', ')}`);
      ok = false;
    }
    const count = Number(rawCount);
    if (!/^[0-9]+$/.test(rawCount) || count < 1 || count > MAX_POPULATION) {
      bad('population', `population "${rawCount}" is not a positive whole number`);
      ok = false;
    }
    if (!ok) return;
    const key = `${area}|${band}`;
    if (seen.has(key)) return bad('duplicate', `${area} ${band} appears more than once`);
    seen.add(key);
    rows.push({ area, ageBand: band as AgeBand, population: count });
  });
  if (problems.length > 0) {
    throw new DomainError(
      ErrorCode.BAD_USER_INPUT,
      `population file rejected, nothing imported: ${problems.length} bad line(s)`,
      problems,
    );
  }
  return rows;
}
