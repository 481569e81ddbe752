import { stringify } from 'csv-stringify/sync';
import { InsightReport } from './insights.types';

/** CSV columns of each report, in order; each is a field of the report's GraphQL row. */
export const CSV_COLUMNS: Record<InsightReport, readonly string[]> = {
  [InsightReport.ACTIVITY]: ['period', 'type', 'branchId', 'channel', 'entries', 'suppressed'],
  [InsightReport.CUSTOMERS]: ['period', 'kind', 'measure', 'customers', 'suppressed'],
  [InsightReport.REACH]: [
    'rank',
    'area',
    'ageBand',
    'population',
    'activeCustomers',
    'penetrationRate',
    'suppressed',
  ],
  [InsightReport.LAPSED]: ['homeBranchId', 'kind', 'lapsedCustomers', 'suppressed'],
  [InsightReport.COHORTS]: [
    'cohort',
    'monthsAfter',
    'cohortSize',
    'activeCustomers',
    'retentionRate',
    'suppressed',
  ],
  [InsightReport.STOCK]: [
    'branchId',
    'subjectId',
    'subject',
    'copies',
    'copiesAvailable',
    'holds',
    'loans',
    'holdsPerAvailableCopy',
    'loansPerCopy',
    'suppressed',
  ],
  [InsightReport.DEMAND]: [
    'branchId',
    'subjectId',
    'subject',
    'copies',
    'copiesAvailable',
    'holds',
    'loans',
    'holdsPerAvailableCopy',
    'loansPerCopy',
    'suppressed',
  ],
  [InsightReport.EVENTS]: [
    'branchId',
    'topicId',
    'topic',
    'events',
    'capacity',
    'attendance',
    'fillRate',
    'suppressed',
  ],
  [InsightReport.PC_USE]: ['dayOfWeek', 'hour', 'sessions', 'suppressed'],
  [InsightReport.RECOMMENDATIONS]: [
    'period',
    'branchId',
    'list',
    'shown',
    'clicked',
    'borrowed',
    'clickThroughRate',
    'borrowThroughRate',
    'suppressed',
  ],
  [InsightReport.CAMPAIGN_UPLIFT]: [
    'campaignId',
    'campaign',
    'purpose',
    'startedAt',
    'days',
    'recipients',
    'recipientsActive',
    'recipientRate',
    'controlMembers',
    'controlActive',
    'controlRate',
    'uplift',
    'suppressed',
  ],
  [InsightReport.WON_BACK]: [
    'campaignId',
    'campaign',
    'startedAt',
    'months',
    'days',
    'lapsedRecipients',
    'wonBack',
    'wonBackRate',
    'lapsedControl',
    'controlReturned',
    'controlRate',
    'uplift',
    'suppressed',
  ],
};

function cell(value: unknown): string {
  if (value == null) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * A report's rows as CSV with a header line. Suppressed values are empty, the `suppressed`
 * column says why, and dates are ISO 8601 as in the GraphQL response.
 */
export function reportCsv(report: InsightReport, rows: readonly object[]): string {
  const columns = CSV_COLUMNS[report];
  const records = rows.map((row) => columns.map((c) => cell((row as Record<string, unknown>)[c])));
  return stringify([columns as string[], ...records]);
}
