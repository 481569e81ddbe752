import { type FormEvent, useEffect, useState } from 'react';
import {
  DataTable,
  ErrorNotice,
  formatDateTime,
  formatNumber,
  formatPercent,
  humanise,
  Loading,
  PageTitle,
  Section,
  StatusNotice,
} from '../components/common';
import { CheckGroup, EnumOptions } from '../components/pickers';
import { gql } from '../lib/api';
import { Link, navigate } from '../lib/router';
import type { Session } from '../lib/session';
import { useQuery } from '../lib/use-query';
import { LivePreview, useDebounced } from './Segments';

const SENDABLE = ['EMAIL', 'SMS', 'APP'];
const EDITORS = new Set(['MARKETING', 'ADMIN']);

interface CampaignSummary {
  id: string;
  name: string;
  purpose: string;
  status: string;
  channels: string[];
  createdBy: string;
  createdAt: string;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  segment: { id: string; name: string } | null;
}

const SUMMARY_FIELDS = `id name purpose status channels createdBy createdAt scheduledAt startedAt finishedAt segment { id name }`;

/** Campaigns: the list, the composer (new or a draft), or one campaign with its results. */
export function CampaignsScreen({
  session,
  campaignId,
}: {
  session: Session;
  campaignId?: string;
}) {
  const canEdit = EDITORS.has(session.role);
  if (campaignId === 'new') return canEdit ? <Composer /> : <NotForRole />;
  if (campaignId) return <CampaignDetail id={campaignId} canEdit={canEdit} />;
  return <CampaignList canEdit={canEdit} />;
}

function NotForRole() {
  return (
    <>
      <PageTitle>Not for your role</PageTitle>
      <p>
        Only marketing staff compose campaigns.{' '}
        <Link to="/marketing/campaigns">Back to campaigns</Link>
      </p>
    </>
  );
}

function CampaignList({ canEdit }: { canEdit: boolean }) {
  const q = useQuery<{ campaigns: CampaignSummary[] }>(
    `{ campaigns(first: 50) { ${SUMMARY_FIELDS} } }`,
    {},
  );
  return (
    <>
      <PageTitle>Campaigns</PageTitle>
      {canEdit && (
        <p>
          <Link to="/marketing/campaigns/new" className="button-link">
            New campaign
          </Link>
        </p>
      )}
      {q.loading && <Loading what="campaigns" />}
      <ErrorNotice error={q.error} />
      {q.data && (
        <Section id="campaigns" title="All campaigns">
          {q.data.campaigns.length === 0 ? (
            <p className="muted">No campaigns yet.</p>
          ) : (
            <DataTable
              caption="Campaigns, newest first"
              rowKey={(c) => c.id}
              rows={q.data.campaigns}
              columns={[
                {
                  header: 'Name',
                  cell: (c) => <Link to={`/marketing/campaigns/${c.id}`}>{c.name}</Link>,
                },
                { header: 'Status', cell: (c) => humanise(c.status) },
                { header: 'Purpose', cell: (c) => humanise(c.purpose) },
                { header: 'Channels', cell: (c) => c.channels.map(humanise).join(', ') },
                { header: 'Audience', cell: (c) => c.segment?.name ?? 'Own filter' },
                { header: 'Sent', cell: (c) => formatDateTime(c.startedAt) },
              ]}
            />
          )}
        </Section>
      )}
    </>
  );
}

const FIELD_HELP: Array<[string, string]> = [
  ['{{firstName|reader}}', 'first name, or “reader” when there is none'],
  ['{{homeBranch}}', 'their home branch'],
  ['{{recommendedTitles:3}}', 'three of their current suggestions, one per line'],
  ['{{topRecommendation}}', 'their first suggestion'],
];

interface Draft {
  name: string;
  purpose: string;
  channels: string[];
  segmentId: string;
  subject: string;
  body: string;
  shortBody: string;
  controlPercent: number | null;
}

const EMPTY_DRAFT: Draft = {
  name: '',
  purpose: 'MARKETING',
  channels: ['EMAIL'],
  segmentId: '',
  subject: 'New for you at {{homeBranch}}',
  body: 'Dear {{firstName|reader}},\n\nThree titles picked for you:\n{{recommendedTitles:3}}\n\nSee you soon at the library.',
  shortBody: '',
  controlPercent: 10,
};

/** Compose a campaign (or change a draft), with its audience's reach and a preview. */
function Composer({ existing }: { existing?: CampaignDetailData['campaign'] }) {
  const [d, setD] = useState<Draft>(
    existing
      ? {
          name: existing.name,
          purpose: existing.purpose,
          channels: existing.channels,
          segmentId: existing.segment?.id ?? '',
          subject: existing.template.subject,
          body: existing.template.body,
          shortBody: existing.template.shortBody ?? '',
          controlPercent: existing.controlPercent,
        }
      : EMPTY_DRAFT,
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const segments = useQuery<{ segments: Array<{ id: string; name: string }> }>(
    `{ segments { id name } }`,
    {},
  );
  const set = (change: Partial<Draft>) => setD((x) => ({ ...x, ...change }));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const template = { subject: d.subject, body: d.body, shortBody: d.shortBody.trim() || null };
    const input = {
      name: d.name.trim(),
      purpose: d.purpose,
      channels: SENDABLE.filter((c) => d.channels.includes(c)),
      segmentId: d.segmentId || null,
      template,
      controlPercent: d.controlPercent ?? 0,
    };
    try {
      const id = existing
        ? (
            await gql<{ updateCampaign: { id: string } }>(
              `mutation($id: ID!, $input: CampaignUpdateInput!) { updateCampaign(id: $id, input: $input) { id } }`,
              { id: existing.id, input },
            )
          ).updateCampaign.id
        : (
            await gql<{ createCampaign: { id: string } }>(
              `mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }`,
              { input },
            )
          ).createCampaign.id;
      navigate(`/marketing/campaigns/${id}`);
      if (existing) window.location.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p className="breadcrumb">
        <Link to="/marketing/campaigns">← Campaigns</Link>
      </p>
      <PageTitle>{existing ? `Change “${existing.name}”` : 'New campaign'}</PageTitle>
      <div className="split">
        <form onSubmit={save} className="card stack" aria-label="Campaign">
          <label htmlFor="campaign-name">Campaign name</label>
          <input
            id="campaign-name"
            required
            maxLength={200}
            value={d.name}
            onChange={(e) => set({ name: e.target.value })}
          />
          <fieldset>
            <legend>Why are we writing?</legend>
            <label className="choice">
              <input
                type="radio"
                name="purpose"
                checked={d.purpose === 'MARKETING'}
                onChange={() => set({ purpose: 'MARKETING' })}
              />
              <span>
                <strong>Marketing</strong>: news and promotions. Only customers who agreed to hear
                from us on a channel get it there.
              </span>
            </label>
            <label className="choice">
              <input
                type="radio"
                name="purpose"
                checked={d.purpose === 'SERVICE_INFORMATION'}
                onChange={() => set({ purpose: 'SERVICE_INFORMATION' })}
              />
              <span>
                <strong>Service information</strong>: about the library’s own free services. No
                consent needed, but never to anyone who asked not to get service messages.
              </span>
            </label>
          </fieldset>
          <CheckGroup
            legend="Channels, in order of preference (each customer gets one message)"
            options={SENDABLE}
            values={d.channels}
            onChange={(channels) => set({ channels })}
          />
          <label htmlFor="campaign-segment">Audience: a saved segment</label>
          <select
            id="campaign-segment"
            required
            value={d.segmentId}
            onChange={(e) => set({ segmentId: e.target.value })}
          >
            <option value="">Choose a segment…</option>
            {segments.data?.segments.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
          <p className="small muted">
            Build and save segments on the <Link to="/marketing/segments">Segments</Link> page. The
            segment is counted again when the campaign sends.
          </p>
          <label htmlFor="campaign-subject">Email subject</label>
          <input
            id="campaign-subject"
            required
            maxLength={200}
            value={d.subject}
            onChange={(e) => set({ subject: e.target.value })}
          />
          <label htmlFor="campaign-body">Email text</label>
          <textarea
            id="campaign-body"
            required
            rows={8}
            maxLength={20000}
            value={d.body}
            onChange={(e) => set({ body: e.target.value })}
            aria-describedby="template-help"
          />
          <label htmlFor="campaign-short">Text for SMS and app (needed for those channels)</label>
          <textarea
            id="campaign-short"
            rows={2}
            maxLength={480}
            value={d.shortBody}
            onChange={(e) => set({ shortBody: e.target.value })}
            aria-describedby="template-help"
          />
          <div id="template-help" className="small">
            <p>Fields filled in for each customer:</p>
            <ul>
              {FIELD_HELP.map(([f, what]) => (
                <li key={f}>
                  <code>{f}</code> — {what}
                </li>
              ))}
            </ul>
            <p>Links become tracked links. Every message ends with an unsubscribe link.</p>
          </div>
          <div className="field">
            <label htmlFor="campaign-control">
              Hold back this percentage to measure uplift (0 to 50)
            </label>
            <input
              id="campaign-control"
              type="number"
              min={0}
              max={50}
              className="narrow"
              value={d.controlPercent ?? ''}
              onChange={(e) =>
                set({ controlPercent: e.target.value === '' ? null : Number(e.target.value) })
              }
            />
          </div>
          <ErrorNotice error={error} title="Not saved" />
          <button type="submit" className="primary" disabled={busy}>
            {existing ? 'Save changes' : 'Save as draft'}
          </button>
        </form>
        <div className="sticky">
          {d.segmentId ? (
            <LivePreview segmentId={d.segmentId} problems={[]} />
          ) : (
            <Section id="preview" title="Who this reaches">
              <p className="muted">Choose a segment to see how many it reaches on each channel.</p>
            </Section>
          )}
          <TemplatePreview draft={d} />
        </div>
      </div>
    </>
  );
}

interface MessagePreview {
  channel: string;
  subject: string | null;
  text: string;
  note: string;
}

/** The message rendered by the API for an invented sample customer, as the author types. */
function TemplatePreview({ draft }: { draft: Draft }) {
  const channels = SENDABLE.filter((c) => draft.channels.includes(c));
  const [channel, setChannel] = useState(channels[0] ?? 'EMAIL');
  useEffect(() => {
    if (channels.length && !channels.includes(channel)) setChannel(channels[0]);
  }, [channels, channel]);
  const vars = useDebounced(
    {
      template: {
        subject: draft.subject,
        body: draft.body,
        shortBody: draft.shortBody.trim() || null,
      },
      purpose: draft.purpose,
      channel,
    },
    500,
  );
  const q = useQuery<{ messagePreview: MessagePreview }>(
    `query($template: MessageTemplateInput!, $purpose: CampaignPurpose!, $channel: ConsentChannel!) {
      messagePreview(template: $template, purpose: $purpose, channel: $channel) { channel subject text note }
    }`,
    vars,
  );
  return (
    <MessagePreviewCard
      preview={q.data?.messagePreview}
      error={q.error}
      loading={q.loading}
      channel={channel}
      setChannel={setChannel}
      channels={channels}
    />
  );
}

function MessagePreviewCard({
  preview,
  error,
  loading,
  channel,
  setChannel,
  channels,
}: {
  preview: MessagePreview | undefined;
  error: unknown;
  loading: boolean;
  channel: string;
  setChannel(c: string): void;
  channels: string[];
}) {
  return (
    <Section id="message-preview" title="Message preview">
      {channels.length > 1 && (
        <div className="field-inline">
          <label htmlFor="preview-channel">As sent by</label>
          <select id="preview-channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
            <EnumOptions values={channels} />
          </select>
        </div>
      )}
      <ErrorNotice error={error} />
      {loading && !preview && <Loading what="the preview" />}
      {preview && !error && (
        <>
          {preview.subject && (
            <p>
              <strong>Subject:</strong> <span data-testid="preview-subject">{preview.subject}</span>
            </p>
          )}
          <div className="preview" data-testid="preview-text" aria-label="Message text">
            {preview.text}
          </div>
          <p className="muted small">{preview.note}</p>
        </>
      )}
    </Section>
  );
}

interface Results {
  targeted: number | null;
  controlGroup: number | null;
  inProgress: number | null;
  sent: number | null;
  unconfirmed: number | null;
  failed: number | null;
  suppressed: number | null;
  suppressedByReason: Array<{ reason: string; count: number | null }>;
  opened: number | null;
  clicked: number | null;
  uplift: {
    days: number;
    windowStart: string | null;
    windowEnd: string | null;
    complete: boolean;
    recipients: number | null;
    recipientsActive: number | null;
    recipientRate: number | null;
    controlMembers: number | null;
    controlActive: number | null;
    controlRate: number | null;
    uplift: number | null;
  };
}

interface CampaignDetailData {
  campaign: CampaignSummary & {
    controlPercent: number;
    links: string[];
    template: { subject: string; body: string; shortBody: string | null };
    cancelledAt: string | null;
  };
  campaignResults: Results;
}

const DETAIL = `query Campaign($id: ID!) {
  campaign(id: $id) { ${SUMMARY_FIELDS} controlPercent links cancelledAt template { subject body shortBody } }
  campaignResults(id: $id) {
    targeted controlGroup inProgress sent unconfirmed failed suppressed
    suppressedByReason { reason count } opened clicked
    uplift { days windowStart windowEnd complete recipients recipientsActive recipientRate controlMembers controlActive controlRate uplift }
  }
}`;

const LIVE = new Set(['SCHEDULED', 'SENDING']);

function CampaignDetail({ id, canEdit }: { id: string; canEdit: boolean }) {
  const q = useQuery<CampaignDetailData>(DETAIL, { id });
  const [editing, setEditing] = useState(false);
  const c = q.data?.campaign;
  // While it is on its way, look again every few seconds so the figures fill in.
  useEffect(() => {
    if (!c || !LIVE.has(c.status)) return;
    const t = setTimeout(q.reload, 3000);
    return () => clearTimeout(t);
  }, [c, q.reload]);
  if (editing && c) return <Composer existing={c} />;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/marketing/campaigns">← Campaigns</Link>
      </p>
      <PageTitle>{c ? c.name : 'Campaign'}</PageTitle>
      {q.loading && !c && <Loading what="the campaign" />}
      <ErrorNotice error={q.error} />
      {c && q.data && (
        <div className="grid">
          <Section id="campaign" title="Campaign">
            <p>
              <strong>Status:</strong>{' '}
              <span data-testid="campaign-status">{humanise(c.status)}</span>
            </p>
            <dl className="facts">
              <dt>Purpose</dt>
              <dd>{humanise(c.purpose)}</dd>
              <dt>Channels</dt>
              <dd>{c.channels.map(humanise).join(', ')}</dd>
              <dt>Audience</dt>
              <dd>{c.segment?.name ?? 'Own filter'}</dd>
              <dt>Held back</dt>
              <dd>{c.controlPercent}%</dd>
              <dt>Created</dt>
              <dd>
                {formatDateTime(c.createdAt)} by {c.createdBy}
              </dd>
              {c.scheduledAt && (
                <>
                  <dt>Scheduled for</dt>
                  <dd>{formatDateTime(c.scheduledAt)}</dd>
                </>
              )}
              {c.startedAt && (
                <>
                  <dt>Sending started</dt>
                  <dd>{formatDateTime(c.startedAt)}</dd>
                </>
              )}
              {c.finishedAt && (
                <>
                  <dt>Finished</dt>
                  <dd>{formatDateTime(c.finishedAt)}</dd>
                </>
              )}
            </dl>
            {canEdit && (
              <Actions campaign={c} onChanged={q.reload} onEdit={() => setEditing(true)} />
            )}
          </Section>
          {canEdit && <SavedPreview id={c.id} channels={c.channels} />}
          <ResultsCard results={q.data.campaignResults} />
        </div>
      )}
    </>
  );
}

function Actions({
  campaign: c,
  onChanged,
  onEdit,
}: {
  campaign: CampaignDetailData['campaign'];
  onChanged(): void;
  onEdit(): void;
}) {
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [at, setAt] = useState('');
  const run = async (what: string, mutation: string, vars: Record<string, unknown> = {}) => {
    setError(null);
    setStatus('');
    try {
      await gql(mutation, { id: c.id, ...vars });
      setStatus(what);
      setConfirming(false);
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  const schedule = (e: FormEvent) => {
    e.preventDefault();
    if (!at) return;
    void run(
      'Scheduled.',
      `mutation($id: ID!, $at: DateTimeISO) { scheduleCampaign(id: $id, at: $at) { id } }`,
      {
        at: new Date(at).toISOString(),
      },
    );
  };
  return (
    <div className="actions">
      {status && <StatusNotice>{status}</StatusNotice>}
      <ErrorNotice error={error} />
      {c.status === 'DRAFT' && (
        <>
          <div className="row-form">
            <button type="button" className="secondary" onClick={onEdit}>
              Change
            </button>
            {!confirming ? (
              <button type="button" className="primary" onClick={() => setConfirming(true)}>
                Send now
              </button>
            ) : (
              <>
                <button
                  type="button"
                  className="primary"
                  onClick={() =>
                    run(
                      'Sending has started.',
                      `mutation($id: ID!) { scheduleCampaign(id: $id) { id } }`,
                    )
                  }
                >
                  Yes, send it now
                </button>
                <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                  Not yet
                </button>
              </>
            )}
          </div>
          <form className="row-form" onSubmit={schedule}>
            <div className="field">
              <label htmlFor="schedule-at">Or send at</label>
              <input
                id="schedule-at"
                type="datetime-local"
                value={at}
                onChange={(e) => setAt(e.target.value)}
                required
              />
            </div>
            <button type="submit" className="secondary">
              Schedule
            </button>
          </form>
        </>
      )}
      {c.status === 'SCHEDULED' && (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            run('Back to draft.', `mutation($id: ID!) { unscheduleCampaign(id: $id) { id } }`)
          }
        >
          Back to draft
        </button>
      )}
      {['DRAFT', 'SCHEDULED', 'SENDING'].includes(c.status) && (
        <button
          type="button"
          className="link-button"
          onClick={() => run('Cancelled.', `mutation($id: ID!) { cancelCampaign(id: $id) { id } }`)}
        >
          Cancel campaign
        </button>
      )}
    </div>
  );
}

function SavedPreview({ id, channels }: { id: string; channels: string[] }) {
  const [channel, setChannel] = useState(channels[0] ?? 'EMAIL');
  const q = useQuery<{ campaignMessagePreview: MessagePreview }>(
    `query($id: ID!, $channel: ConsentChannel) { campaignMessagePreview(id: $id, channel: $channel) { channel subject text note } }`,
    { id, channel },
  );
  return (
    <MessagePreviewCard
      preview={q.data?.campaignMessagePreview}
      error={q.error}
      loading={q.loading}
      channel={channel}
      setChannel={setChannel}
      channels={channels}
    />
  );
}

const count = (n: number | null) => (n === null ? 'withheld' : formatNumber(n));

function ResultsCard({ results: r }: { results: Results }) {
  const u = r.uplift;
  const rows: Array<[string, number | null]> = [
    ['In the audience', r.targeted],
    ['Held back (control group)', r.controlGroup],
    ['Still on their way', r.inProgress],
    ['Sent', r.sent],
    ['Unconfirmed', r.unconfirmed],
    ['Failed', r.failed],
    ['Not sent', r.suppressed],
    ['Opened (email)', r.opened],
    ['Clicked a link', r.clicked],
  ];
  return (
    <Section id="results" title="Results">
      <dl className="facts" data-testid="results">
        {rows.map(([label, n]) => (
          <div key={label} className="fact-row">
            <dt>{label}</dt>
            <dd>{count(n)}</dd>
          </div>
        ))}
      </dl>
      {r.suppressedByReason.some((s) => s.count !== 0) && (
        <>
          <h3>Why some were not sent</h3>
          <ul className="plain-list compact">
            {r.suppressedByReason
              .filter((s) => s.count !== 0)
              .map((s) => (
                <li key={s.reason}>
                  {humanise(s.reason)}: {count(s.count)}
                </li>
              ))}
          </ul>
        </>
      )}
      <h3>Uplift</h3>
      <p className="small muted">
        Share with any activity in the {u.days} days after sending started
        {u.windowEnd ? ` (to ${formatDateTime(u.windowEnd)})` : ''}, recipients against those held
        back.
        {u.complete ? ' Final.' : ' Not final yet.'}
      </p>
      <table>
        <caption className="sr-only">Uplift against the control group</caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col" className="num">
              People
            </th>
            <th scope="col" className="num">
              Active
            </th>
            <th scope="col" className="num">
              Rate
            </th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Sent the message</th>
            <td className="num">{count(u.recipients)}</td>
            <td className="num">{count(u.recipientsActive)}</td>
            <td className="num">{formatPercent(u.recipientRate)}</td>
          </tr>
          <tr>
            <th scope="row">Held back</th>
            <td className="num">{count(u.controlMembers)}</td>
            <td className="num">{count(u.controlActive)}</td>
            <td className="num">{formatPercent(u.controlRate)}</td>
          </tr>
        </tbody>
      </table>
      <p>
        <strong>Uplift:</strong>{' '}
        <span data-testid="uplift">
          {u.uplift === null
            ? 'not known yet'
            : `${u.uplift >= 0 ? '+' : ''}${(u.uplift * 100).toFixed(1)} percentage points`}
        </span>
      </p>
    </Section>
  );
}
