import type { ChartConfiguration } from 'chart.js';
import { type FormEvent, type ReactNode, useMemo, useState } from 'react';
import { Chart, PALETTE } from '../components/Chart';
import { startOfDayIn } from '../lib/dates';
import {
  DataTable,
  ErrorNotice,
  formatNumber,
  formatPercent,
  Loading,
  PageTitle,
  Section,
  StatusNotice,
} from '../components/common';
import { EnumOptions } from '../components/pickers';
import { downloadText, gql } from '../lib/api';
import { type ReachRow, reachByArea } from '../lib/reach';
import { useQuery } from '../lib/use-query';

interface Filter {
  from?: string;
  to?: string;
  period?: string;
}

/** Managers' reports as charts, each with its table and its CSV from the API. */
export function InsightsScreen() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [period, setPeriod] = useState('MONTH');
  const [filter, setFilter] = useState<Filter>({ period: 'MONTH' });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter({
      // Days begin in the zone the reports are cut in, so whole months stay whole.
      ...(from ? { from: startOfDayIn(from) } : {}),
      ...(to ? { to: startOfDayIn(to) } : {}),
      period,
    });
  };
  return (
    <>
      <PageTitle>Insights</PageTitle>
      <p className="muted">
        Aggregates only. Any figure describing fewer people than the disclosure threshold is
        withheld, here and in every download.
      </p>
      <form className="row-form filters" onSubmit={apply} aria-label="Report period">
        <div className="field">
          <label htmlFor="from">From</label>
          <input id="from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="to">Up to</label>
          <input id="to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="period">Grouped by</label>
          <select id="period" value={period} onChange={(e) => setPeriod(e.target.value)}>
            <EnumOptions values={['DAY', 'WEEK', 'MONTH', 'YEAR']} />
          </select>
        </div>
        <button type="submit" className="primary">
          Show
        </button>
      </form>
      <p className="muted small">Leave the dates empty for the last twelve months.</p>
      <div className="grid grid-wide">
        <UseOverTime filter={filter} />
        <Reach filter={filter} />
        <Retention filter={filter} />
        <Demand filter={filter} />
      </div>
    </>
  );
}

function CsvButton({ report, filter, label }: { report: string; filter: Filter; label: string }) {
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const go = async () => {
    setError(null);
    setDone(false);
    try {
      const d = await gql<{ insightsCsv: string }>(
        `query($r: InsightReport!, $f: InsightFilter) { insightsCsv(report: $r, filter: $f) }`,
        { r: report, f: filter },
      );
      downloadText(
        `${report.toLowerCase()}-${new Date().toISOString().slice(0, 10)}.csv`,
        'text/csv',
        d.insightsCsv,
      );
      setDone(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <button
        type="button"
        className="secondary"
        onClick={go}
        aria-label={`Download ${label} as CSV`}
      >
        Download CSV
      </button>
      {done && (
        <span className="sr-only" role="status">
          Downloaded {label} as CSV.
        </span>
      )}
      <ErrorNotice error={error} />
    </>
  );
}

function Report({
  id,
  title,
  report,
  filter,
  loading,
  error,
  children,
}: {
  id: string;
  title: string;
  report: string;
  filter: Filter;
  loading: boolean;
  error: unknown;
  children: ReactNode;
}) {
  return (
    <Section
      id={id}
      title={title}
      actions={<CsvButton report={report} filter={filter} label={title} />}
    >
      {loading && <Loading what={title.toLowerCase()} />}
      <ErrorNotice error={error} />
      {!loading && !error && children}
    </Section>
  );
}

function Withheld({ count }: { count: number }) {
  if (!count) return null;
  return (
    <p className="muted small">
      {count} {count === 1 ? 'figure is' : 'figures are'} withheld because{' '}
      {count === 1 ? 'it describes' : 'they describe'} too few people.
    </p>
  );
}

const shorten = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** The zone the API cuts periods in by default; labels must be read in it too. */
const REPORT_TIME_ZONE = 'Europe/London';

const periodLabel = (iso: string, period: string | undefined) => {
  const d = new Date(iso);
  if (period === 'YEAR') {
    return d.toLocaleDateString('en-GB', { year: 'numeric', timeZone: REPORT_TIME_ZONE });
  }
  if (period === 'MONTH' || !period)
    return d.toLocaleDateString('en-GB', {
      month: 'short',
      year: 'numeric',
      timeZone: REPORT_TIME_ZONE,
    });
  return d.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: REPORT_TIME_ZONE,
  });
};

/** Channels grouped as managers report them: in branch, online and outreach side by side. */
const CHANNEL_GROUPS: Array<[string, string[]]> = [
  ['In branch', ['IN_BRANCH']],
  ['Online and app', ['ONLINE', 'APP']],
  ['Outreach', ['OUTREACH']],
  ['Phone', ['PHONE']],
];

interface UseData {
  insightsActivity: Array<{
    period: string;
    channel: string;
    entries: number | null;
    suppressed: boolean;
  }>;
  insightsCustomers: Array<{
    period: string;
    kind: string | null;
    measure: string;
    customers: number | null;
    suppressed: boolean;
  }>;
}

function UseOverTime({ filter }: { filter: Filter }) {
  const q = useQuery<UseData>(
    `query Use($f: InsightFilter) {
      insightsActivity(filter: $f) { period channel entries suppressed }
      insightsCustomers(filter: $f) { period kind measure customers suppressed }
    }`,
    { f: filter },
  );
  const view = useMemo(() => {
    if (!q.data) return null;
    const periods = [
      ...new Set(
        q.data.insightsActivity
          .map((r) => r.period)
          .concat(q.data.insightsCustomers.map((r) => r.period)),
      ),
    ].sort();
    const totals = CHANNEL_GROUPS.map(([label, channels]) => ({
      label,
      values: periods.map((p) =>
        q
          .data!.insightsActivity.filter(
            (r) => r.period === p && channels.includes(r.channel) && r.entries !== null,
          )
          .reduce((s, r) => s + (r.entries ?? 0), 0),
      ),
    })).filter((g) => g.values.some((v) => v > 0));
    const active = periods.map(
      (p) =>
        q.data!.insightsCustomers.find(
          (r) => r.period === p && r.kind === null && r.measure === 'ACTIVE_CUSTOMERS',
        )?.customers ?? null,
    );
    const withheld =
      q.data.insightsActivity.filter((r) => r.suppressed).length +
      q.data.insightsCustomers.filter((r) => r.suppressed && r.kind === null).length;
    const labels = periods.map((p) => periodLabel(p, filter.period));
    const config: ChartConfiguration = {
      type: 'bar',
      data: {
        labels,
        datasets: [
          ...totals.map((g, i) => ({
            type: 'bar' as const,
            label: `${g.label} (entries)`,
            data: g.values,
            backgroundColor: PALETTE[i],
            stack: 'entries',
            yAxisID: 'y',
          })),
          {
            type: 'line' as const,
            label: 'Active customers',
            data: active,
            borderColor: PALETTE[6],
            backgroundColor: PALETTE[6],
            yAxisID: 'y1',
          },
        ],
      } as ChartConfiguration['data'],
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: 'Entries' } },
          y1: {
            position: 'right',
            beginAtZero: true,
            grid: { drawOnChartArea: false },
            title: { display: true, text: 'Active customers' },
          },
        },
      },
    };
    const rows = periods.map((p, i) => ({ p, i }));
    return { config, totals, active, withheld, rows, labels };
  }, [q.data, filter.period]);
  return (
    <Report
      id="use"
      title="Use over time"
      report="ACTIVITY"
      filter={filter}
      loading={q.loading}
      error={q.error}
    >
      {view && (
        <>
          <Chart
            id="use"
            caption="Activity by channel per period, with unique active customers"
            summary={`Stacked bars of activity entries per period by channel (${view.totals.map((t) => t.label).join(', ')}), and a line of active customers, over ${view.labels.length} periods.`}
            config={view.config}
            table={
              <DataTable
                caption="Use over time"
                rowKey={(r) => String(r.i)}
                rows={view.rows}
                columns={[
                  { header: 'Period', cell: (r) => view.labels[r.i] },
                  ...view.totals.map((t) => ({
                    header: t.label,
                    numeric: true,
                    cell: (r: { i: number }) => formatNumber(t.values[r.i]),
                  })),
                  {
                    header: 'Active customers',
                    numeric: true,
                    cell: (r) => formatNumber(view.active[r.i]),
                  },
                ]}
              />
            }
          />
          <Withheld count={view.withheld} />
        </>
      )}
    </Report>
  );
}

function Reach({ filter }: { filter: Filter }) {
  const [band, setBand] = useState('ALL');
  const q = useQuery<{ insightsReach: ReachRow[] }>(
    `query Reach($f: InsightFilter) { insightsReach(filter: $f) { area ageBand activeCustomers population penetrationRate rank suppressed } }`,
    { f: filter },
  );
  const bands = useMemo(
    () => [...new Set((q.data?.insightsReach ?? []).map((r) => r.ageBand))].sort(),
    [q.data],
  );
  const view = useMemo(() => {
    if (!q.data) return null;
    const areas = reachByArea(q.data.insightsReach, band);
    const charted = areas.filter((a) => a.rate !== null);
    const withheld = areas.reduce((n, a) => n + a.withheldBands, 0);
    const config: ChartConfiguration = {
      type: 'bar',
      data: {
        labels: charted.map((a) => a.area),
        datasets: [
          {
            label: 'Active customers per 100 residents',
            data: charted.map((a) => Number(((a.rate ?? 0) * 100).toFixed(2))),
            backgroundColor: PALETTE[0],
          },
        ],
      },
      options: {
        indexAxis: 'y',
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (ctx) => {
                const a = charted[ctx.dataIndex];
                return `${formatPercent(a.rate)}: ${formatNumber(a.active)} of ${formatNumber(a.population)} residents`;
              },
            },
          },
        },
        scales: {
          x: {
            beginAtZero: true,
            title: { display: true, text: 'Active customers per 100 residents' },
          },
        },
      },
    };
    return { areas, charted, withheld, config };
  }, [q.data, band]);
  const noPopulation =
    q.data &&
    q.data.insightsReach.length > 0 &&
    q.data.insightsReach.every((r) => r.population === null);
  return (
    <Report
      id="reach"
      title="Reach by area"
      report="REACH"
      filter={filter}
      loading={q.loading}
      error={q.error}
    >
      <div className="field-inline">
        <label htmlFor="reach-band">Age band</label>
        <select id="reach-band" value={band} onChange={(e) => setBand(e.target.value)}>
          <option value="ALL">All ages</option>
          <EnumOptions values={bands} />
        </select>
      </div>
      {noPopulation && (
        <StatusNotice>
          No population table is loaded, so reach cannot be set against residents. Load one below.
        </StatusNotice>
      )}
      {view && (
        <>
          <Chart
            id="reach"
            tall
            caption="Active customers against resident population, least served area first"
            summary={
              view.charted.length
                ? `Bar chart of ${view.charted.length} postcode areas by active customers per 100 residents. Least served: ${view.charted[0].area} at ${formatPercent(view.charted[0].rate)}; best served: ${view.charted[view.charted.length - 1].area} at ${formatPercent(view.charted[view.charted.length - 1].rate)}.`
                : 'No area has figures to chart.'
            }
            config={view.config}
            table={
              <DataTable
                caption="Reach by area"
                rowKey={(r) => r.area}
                rows={view.areas}
                columns={[
                  { header: 'Area', cell: (r) => r.area },
                  {
                    header: 'Active customers',
                    numeric: true,
                    cell: (r) => (r.active === null ? 'withheld' : formatNumber(r.active)),
                  },
                  { header: 'Residents', numeric: true, cell: (r) => formatNumber(r.population) },
                  { header: 'Reach', numeric: true, cell: (r) => formatPercent(r.rate) },
                  {
                    header: 'Age bands withheld',
                    numeric: true,
                    cell: (r) => (r.withheldBands ? r.withheldBands : '—'),
                  },
                ]}
              />
            }
          />
          <Withheld count={view.withheld} />
        </>
      )}
      <PopulationUpload onDone={q.reload} />
    </Report>
  );
}

function PopulationUpload({ onDone }: { onDone(): void }) {
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const upload = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    setStatus('');
    try {
      const d = await gql<{ importPopulation: number }>(
        `mutation($csv: String!) { importPopulation(csv: $csv) }`,
        {
          csv: await file.text(),
        },
      );
      setStatus(`Loaded ${formatNumber(d.importPopulation)} population rows.`);
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <details className="upload">
      <summary>Replace the population table</summary>
      <p className="small">
        A CSV file with the header <code>area,age_band,population</code>, one row per postcode area
        and age band. It replaces the whole table, or changes nothing if any line is wrong.
      </p>
      <label htmlFor="population-file">Population CSV file</label>
      <input
        id="population-file"
        type="file"
        accept=".csv,text/csv"
        onChange={(e) => upload(e.target.files?.[0])}
      />
      {status && <StatusNotice>{status}</StatusNotice>}
      <ErrorNotice error={error} />
    </details>
  );
}

interface CohortRow {
  cohort: string;
  monthsAfter: number;
  cohortSize: number | null;
  activeCustomers: number | null;
  retentionRate: number | null;
  suppressed: boolean;
}

function Retention({ filter }: { filter: Filter }) {
  const q = useQuery<{ insightsCohorts: CohortRow[] }>(
    `query Cohorts($f: InsightFilter) { insightsCohorts(filter: $f) { cohort monthsAfter cohortSize activeCustomers retentionRate suppressed } }`,
    { f: filter },
  );
  const view = useMemo(() => {
    if (!q.data) return null;
    const cohorts = [...new Set(q.data.insightsCohorts.map((r) => r.cohort))].sort();
    const months = Array.from({ length: 12 }, (_, i) => i + 1);
    const cell = (c: string, m: number) =>
      q.data!.insightsCohorts.find((r) => r.cohort === c && r.monthsAfter === m);
    const label = (c: string) => periodLabel(c, 'MONTH');
    const config: ChartConfiguration = {
      type: 'line',
      data: {
        labels: months.map((m) => `${m}`),
        datasets: cohorts.map((c, i) => ({
          label: label(c),
          data: months.map((m) => {
            const r = cell(c, m)?.retentionRate;
            return r === null || r === undefined ? null : Number((r * 100).toFixed(1));
          }),
          borderColor: PALETTE[i % PALETTE.length],
          backgroundColor: PALETTE[i % PALETTE.length],
          borderDash: i >= PALETTE.length ? [6, 3] : undefined,
          spanGaps: false,
        })),
      },
      options: {
        scales: {
          x: { title: { display: true, text: 'Months after registering' } },
          y: { beginAtZero: true, max: 100, title: { display: true, text: '% still active' } },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    };
    const withheld = q.data.insightsCohorts.filter((r) => r.suppressed).length;
    return { cohorts, months, cell, label, config, withheld };
  }, [q.data]);
  return (
    <Report
      id="retention"
      title="Retention by registration month"
      report="COHORTS"
      filter={filter}
      loading={q.loading}
      error={q.error}
    >
      {view && (
        <>
          <Chart
            id="retention"
            caption="Share of each month’s new customers still active in each following month"
            summary={`Line chart of retention for ${view.cohorts.length} registration-month cohorts over the twelve months after they registered.`}
            config={view.config}
            table={
              <DataTable
                caption="Retention by registration month (% active)"
                rowKey={(c) => c}
                rows={view.cohorts}
                columns={[
                  { header: 'Registered', cell: (c) => view.label(c) },
                  {
                    header: 'New customers',
                    numeric: true,
                    cell: (c) => formatNumber(view.cell(c, 1)?.cohortSize),
                  },
                  ...view.months.map((m) => ({
                    header: `+${m}`,
                    numeric: true,
                    cell: (c: string) => {
                      const r = view.cell(c, m);
                      return r?.suppressed ? 'withheld' : formatPercent(r?.retentionRate, 0);
                    },
                  })),
                ]}
              />
            }
          />
          <Withheld count={view.withheld} />
        </>
      )}
    </Report>
  );
}

interface StockRow {
  branchId: string;
  subject: string;
  holds: number | null;
  copies: number;
  copiesAvailable: number;
  holdsPerAvailableCopy: number | null;
  loansPerCopy: number | null;
  suppressed: boolean;
}

function Demand({ filter }: { filter: Filter }) {
  const q = useQuery<{ insightsDemand: StockRow[]; branches: Array<{ id: string; name: string }> }>(
    `query Demand($f: InsightFilter) {
      insightsDemand(filter: $f) { branchId subject holds copies copiesAvailable holdsPerAvailableCopy loansPerCopy suppressed }
      branches { id name }
    }`,
    { f: { ...filter, limit: 15 } },
  );
  const view = useMemo(() => {
    if (!q.data) return null;
    const names = new Map(q.data.branches.map((b) => [b.id, b.name]));
    const rows = q.data.insightsDemand.map((r) => ({
      ...r,
      where: `${r.subject} at ${names.get(r.branchId) ?? `branch ${r.branchId}`}`,
    }));
    const charted = rows.filter((r) => r.holdsPerAvailableCopy !== null);
    const config: ChartConfiguration = {
      type: 'bar',
      data: {
        labels: charted.map((r) => r.where),
        datasets: [
          {
            label: 'Holds per available copy (demand)',
            data: charted.map((r) => r.holdsPerAvailableCopy),
            backgroundColor: PALETTE[1],
          },
          {
            label: 'Loans per copy (use of stock)',
            data: charted.map((r) => r.loansPerCopy),
            backgroundColor: PALETTE[0],
          },
        ],
      },
      options: {
        indexAxis: 'y',
        scales: {
          x: { beginAtZero: true },
          // Long "subject at branch" labels are shortened on the axis; the tooltip and the table
          // give them whole.
          y: {
            ticks: {
              callback(_v, i) {
                return shorten(charted[i]?.where ?? '', this.chart.width < 500 ? 18 : 40);
              },
            },
          },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    };
    return { rows, charted, config, withheld: rows.length - charted.length };
  }, [q.data]);
  return (
    <Report
      id="demand"
      title="Demand against supply"
      report="DEMAND"
      filter={filter}
      loading={q.loading}
      error={q.error}
    >
      {view && (
        <>
          <Chart
            id="demand"
            tall
            caption="Where holds most outstrip the copies on the shelf"
            summary={
              view.charted.length
                ? `Bar chart of the ${view.charted.length} subjects and branches where demand most outstrips supply; first is ${view.charted[0].where} with ${view.charted[0].holdsPerAvailableCopy?.toFixed(1)} holds per available copy.`
                : 'No subject has figures to chart.'
            }
            config={view.config}
            table={
              <DataTable
                caption="Demand against supply"
                rowKey={(r) => `${r.branchId}-${r.subject}`}
                rows={view.rows}
                columns={[
                  { header: 'Subject and branch', cell: (r) => r.where },
                  {
                    header: 'Holds',
                    numeric: true,
                    cell: (r) => (r.suppressed ? 'withheld' : formatNumber(r.holds)),
                  },
                  { header: 'Copies', numeric: true, cell: (r) => formatNumber(r.copies) },
                  {
                    header: 'On the shelf',
                    numeric: true,
                    cell: (r) => formatNumber(r.copiesAvailable),
                  },
                  {
                    header: 'Holds per available copy',
                    numeric: true,
                    cell: (r) => r.holdsPerAvailableCopy?.toFixed(2) ?? '—',
                  },
                  {
                    header: 'Loans per copy',
                    numeric: true,
                    cell: (r) => r.loansPerCopy?.toFixed(2) ?? '—',
                  },
                ]}
              />
            }
          />
          <Withheld count={view.withheld} />
        </>
      )}
    </Report>
  );
}
