import { type FormEvent, useState } from 'react';
import {
  DataTable,
  ErrorNotice,
  formatDate,
  formatDateTime,
  humanise,
  Loading,
  PageTitle,
  Section,
} from '../components/common';
import { ApiError, gql } from '../lib/api';
import { Link } from '../lib/router';
import { useQuery } from '../lib/use-query';

const SEARCH = `query FindCustomers($search: String!) {
  customers(first: 25, filter: { search: $search }) {
    nodes { id externalId firstName lastName email kind status homeBranch { name } }
  }
}`;

interface Found {
  id: string;
  externalId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  kind: string;
  status: string;
  homeBranch: { name: string } | null;
}

const fullName = (c: { firstName: string | null; lastName: string | null }) =>
  [c.firstName, c.lastName].filter(Boolean).join(' ') || '(no name)';

/** Front-line staff: find a customer by name, card number or email. */
export function StaffSearchScreen() {
  const initial = new URLSearchParams(window.location.search).get('q') ?? '';
  const [text, setText] = useState(initial);
  const [search, setSearch] = useState(initial);
  const q = useQuery<{ customers: { nodes: Found[] } }>(SEARCH, { search }, { skip: !search });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const s = text.trim();
    setSearch(s);
    const url = new URL(window.location.href);
    url.searchParams.set('q', s);
    window.history.replaceState(null, '', url);
  };
  const rows = q.data?.customers.nodes ?? [];
  return (
    <>
      <PageTitle>Find a customer</PageTitle>
      <form className="row-form" role="search" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor="customer-search">Name, card number or email</label>
          <input
            id="customer-search"
            type="search"
            required
            minLength={2}
            maxLength={200}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      {q.loading && <Loading what="customers" />}
      <ErrorNotice error={q.error} />
      {search && q.data && (
        <Section id="results" title={`${rows.length === 25 ? '25 or more' : rows.length} found`}>
          {rows.length === 0 ? (
            <p>Nobody matches “{search}”.</p>
          ) : (
            <DataTable
              caption={`Customers matching “${search}”`}
              rowKey={(r) => r.id}
              rows={rows}
              columns={[
                {
                  header: 'Name',
                  cell: (r) => <Link to={`/staff/customers/${r.id}`}>{fullName(r)}</Link>,
                },
                { header: 'Card', cell: (r) => r.externalId },
                { header: 'Email', cell: (r) => r.email ?? '—' },
                { header: 'Kind', cell: (r) => humanise(r.kind) },
                { header: 'Status', cell: (r) => humanise(r.status) },
                { header: 'Home branch', cell: (r) => r.homeBranch?.name ?? '—' },
              ]}
            />
          )}
        </Section>
      )}
    </>
  );
}

const RECORD = `query CustomerRecord($id: ID!) {
  customer(id: $id) {
    id externalId firstName lastName email phone postcode kind status ageBand registeredAt
    lastActiveAt preferredLanguage accessibilityNeeds historyChoice recommendationMode
    homeBranch { name }
    guardian { id firstName lastName }
    wards { id firstName lastName }
    interests { source interest { id kind label } }
    consents { purpose channel granted since }
    recommendations(first: 5) { item { id title } reasons { text } }
  }
}`;

const HISTORY = `query CustomerHistory($id: ID!, $reason: String!, $after: String) {
  customer(id: $id) {
    activitySummary(reason: $reason) { total lastActiveAt byType { type count } }
    activity(first: 25, reason: $reason, after: $after) {
      nodes { id type occurredAt channel staffMember item { title } event { title } branch { name } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

interface CustomerRecord {
  id: string;
  externalId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  postcode: string | null;
  kind: string;
  status: string;
  ageBand: string;
  registeredAt: string;
  lastActiveAt: string | null;
  preferredLanguage: string | null;
  accessibilityNeeds: string[];
  historyChoice: string;
  recommendationMode: string;
  homeBranch: { name: string } | null;
  guardian: { id: string; firstName: string | null; lastName: string | null } | null;
  wards: Array<{ id: string; firstName: string | null; lastName: string | null }>;
  interests: Array<{ source: string; interest: { id: string; kind: string; label: string } }>;
  consents: Array<{
    purpose: string;
    channel: string | null;
    granted: boolean;
    since: string | null;
  }>;
  recommendations: Array<{ item: { id: string; title: string }; reasons: Array<{ text: string }> }>;
}

/** A customer's record; their history only after staff say why they need it. */
export function StaffCustomerScreen({ customerId }: { customerId: string }) {
  const q = useQuery<{ customer: CustomerRecord }>(RECORD, { id: customerId });
  const c = q.data?.customer;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/staff">← Find a customer</Link>
      </p>
      <PageTitle>{c ? fullName(c) : 'Customer'}</PageTitle>
      {q.loading && <Loading what="the record" />}
      <ErrorNotice error={q.error} />
      {c && (
        <div className="grid">
          <Section id="record" title="Record">
            <dl className="facts">
              <dt>Card number</dt>
              <dd>{c.externalId}</dd>
              <dt>Kind</dt>
              <dd>{humanise(c.kind)}</dd>
              <dt>Status</dt>
              <dd>{humanise(c.status)}</dd>
              <dt>Age band</dt>
              <dd>{humanise(c.ageBand)}</dd>
              <dt>Email</dt>
              <dd>{c.email ?? '—'}</dd>
              <dt>Phone</dt>
              <dd>{c.phone ?? '—'}</dd>
              <dt>Postcode</dt>
              <dd>{c.postcode ?? '—'}</dd>
              <dt>Home branch</dt>
              <dd>{c.homeBranch?.name ?? '—'}</dd>
              <dt>Registered</dt>
              <dd>{formatDate(c.registeredAt)}</dd>
              <dt>Last active</dt>
              <dd>{formatDate(c.lastActiveAt)}</dd>
              <dt>Language</dt>
              <dd>{c.preferredLanguage ?? '—'}</dd>
              <dt>Accessibility</dt>
              <dd>
                {c.accessibilityNeeds.length ? c.accessibilityNeeds.map(humanise).join(', ') : '—'}
              </dd>
              {c.guardian && (
                <>
                  <dt>Guardian</dt>
                  <dd>
                    <Link to={`/staff/customers/${c.guardian.id}`}>{fullName(c.guardian)}</Link>
                  </dd>
                </>
              )}
              {c.wards.length > 0 && (
                <>
                  <dt>Children</dt>
                  <dd>
                    {c.wards.map((w, i) => (
                      <span key={w.id}>
                        {i > 0 && ', '}
                        <Link to={`/staff/customers/${w.id}`}>{fullName(w)}</Link>
                      </span>
                    ))}
                  </dd>
                </>
              )}
            </dl>
          </Section>
          <Section id="preferences" title="Interests and choices">
            <p>
              <strong>Suggestions use:</strong> {humanise(c.recommendationMode)}.{' '}
              <strong>History:</strong> {humanise(c.historyChoice)}.
            </p>
            <h3>Interests</h3>
            {c.interests.length ? (
              <ul className="chips">
                {c.interests.map((i) => (
                  <li key={i.interest.id} className="chip">
                    {i.interest.label} <span className="muted">({humanise(i.interest.kind)})</span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">None declared.</p>
            )}
            <h3>Contact consents</h3>
            <ul className="plain-list compact">
              {c.consents
                .filter((x) => x.channel)
                .map((x) => (
                  <li key={`${x.purpose}-${x.channel}`}>
                    {humanise(x.purpose)} by {humanise(x.channel)}: {x.granted ? 'yes' : 'no'}
                  </li>
                ))}
            </ul>
          </Section>
          <Section id="staff-suggestions" title="Suggested titles">
            <ul className="plain-list compact">
              {c.recommendations.map((r) => (
                <li key={r.item.id}>
                  {r.item.title} <span className="muted">— {r.reasons[0]?.text}</span>
                </li>
              ))}
            </ul>
          </Section>
          <StaffHistory customer={c} />
        </div>
      )}
    </>
  );
}

interface HistoryData {
  customer: {
    activitySummary: {
      total: number;
      lastActiveAt: string | null;
      byType: Array<{ type: string; count: number }>;
    };
    activity: {
      nodes: Array<{
        id: string;
        type: string;
        occurredAt: string;
        channel: string;
        staffMember: string | null;
        item: { title: string } | null;
        event: { title: string } | null;
        branch: { name: string } | null;
      }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
}

function StaffHistory({ customer }: { customer: CustomerRecord }) {
  const [reason, setReason] = useState('');
  const [given, setGiven] = useState<string | null>(null);
  const [data, setData] = useState<HistoryData['customer'] | null>(null);
  const [more, setMore] = useState<HistoryData['customer']['activity']['nodes']>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const load = async (why: string, after: string | null) => {
    setBusy(true);
    setError(null);
    try {
      const d = await gql<HistoryData>(HISTORY, { id: customer.id, reason: why, after });
      if (after) {
        setMore((m) => [...m, ...d.customer.activity.nodes]);
        setData((prev) =>
          prev
            ? { ...prev, activity: { ...prev.activity, pageInfo: d.customer.activity.pageInfo } }
            : d.customer,
        );
      } else {
        setData(d.customer);
        setMore([]);
        setGiven(why);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void load(reason.trim(), null);
  };
  const forbidden = error instanceof ApiError && error.code === 'FORBIDDEN';
  const rows = data ? [...data.activity.nodes, ...more] : [];
  return (
    <Section id="activity" title="Activity">
      {customer.historyChoice === 'NEVER' && (
        <p className="notice notice-forbidden">
          This customer chose not to keep a history, so staff cannot see it.
        </p>
      )}
      {!data && customer.historyChoice !== 'NEVER' && (
        <form className="stack" onSubmit={submit} aria-describedby="reason-help">
          <p id="reason-help">
            A customer’s activity is private. Say why you need it: your reason is kept in the audit
            trail, and the customer can see who looked.
          </p>
          <label htmlFor="history-reason">Reason for opening this customer’s history</label>
          <textarea
            id="history-reason"
            rows={2}
            required
            minLength={5}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy || reason.trim().length < 5}>
            Show history
          </button>
        </form>
      )}
      {!forbidden && <ErrorNotice error={error} />}
      {forbidden && <ErrorNotice error={error} title="History not shown" />}
      {data && (
        <>
          <p className="muted">Opened for: “{given}”</p>
          <p>
            <strong>{data.activitySummary.total}</strong> entries; last active{' '}
            {formatDate(data.activitySummary.lastActiveAt)}.{' '}
            {data.activitySummary.byType.map((t) => `${humanise(t.type)} ${t.count}`).join(' · ')}
          </p>
          <DataTable
            caption="Activity, newest first"
            rowKey={(r) => r.id}
            rows={rows}
            columns={[
              { header: 'When', cell: (r) => formatDateTime(r.occurredAt) },
              { header: 'What', cell: (r) => humanise(r.type) },
              { header: 'Title or event', cell: (r) => r.item?.title ?? r.event?.title ?? '—' },
              { header: 'Where', cell: (r) => r.branch?.name ?? humanise(r.channel) },
            ]}
          />
          {data.activity.pageInfo.hasNextPage && (
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => given && load(given, data.activity.pageInfo.endCursor)}
            >
              Show more
            </button>
          )}
        </>
      )}
    </Section>
  );
}
