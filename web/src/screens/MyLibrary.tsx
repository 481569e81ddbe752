import { type FormEvent, useState } from 'react';
import {
  ErrorNotice,
  formatDate,
  formatDateTime,
  humanise,
  Loading,
  PageTitle,
  Section,
  StatusNotice,
} from '../components/common';
import { EnumOptions } from '../components/pickers';
import { describeError, downloadText, gql } from '../lib/api';
import type { Session } from '../lib/session';
import { useQuery } from '../lib/use-query';

/** Version of the privacy wording this page shows; recorded with every choice made here. */
const WORDING = 'console-privacy-1';

const MY_LIBRARY = `query MyLibrary($id: ID!) {
  customer(id: $id) {
    id firstName lastName externalId historyChoice recommendationMode recommendationsSource
    homeBranch { name }
    wards { id firstName lastName }
    recommendations(first: 10) { item { id title authors format } reasons { kind text } }
    eventRecommendations(first: 5) { event { id title startsAt branch { name } } reasons { text } }
    interests { source weight interest { id kind label } }
    consents { purpose channel granted since }
  }
}`;

const HISTORY = `query MyHistory($id: ID!, $after: String) {
  customer(id: $id) {
    activity(first: 20, after: $after) {
      nodes { id type occurredAt channel item { title } event { title } branch { name } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

const ACCESS_LOG = `query WhoLooked($id: ID!) {
  customer(id: $id) { accessLog(first: 20) { id at actor actorRole action reason } }
}`;

type Mode = 'FULL' | 'INTERESTS_ONLY' | 'OFF';
type HistoryChoice = 'KEEP' | 'DEFAULT' | 'NEVER';

interface Consent {
  purpose: string;
  channel: string | null;
  granted: boolean;
  since: string | null;
}

interface MyLibraryData {
  customer: {
    id: string;
    firstName: string | null;
    lastName: string | null;
    externalId: string;
    historyChoice: HistoryChoice;
    recommendationMode: Mode;
    recommendationsSource: string;
    homeBranch: { name: string } | null;
    wards: Array<{ id: string; firstName: string | null; lastName: string | null }>;
    recommendations: Array<{
      item: { id: string; title: string; authors: string[]; format: string };
      reasons: Array<{ kind: string; text: string }>;
    }>;
    eventRecommendations: Array<{
      event: { id: string; title: string; startsAt: string; branch: { name: string } | null };
      reasons: Array<{ text: string }>;
    }>;
    interests: Array<{
      source: string;
      weight: number;
      interest: { id: string; kind: string; label: string };
    }>;
    consents: Consent[];
  };
}

export function MyLibraryScreen({ session }: { session: Session }) {
  const self = session.customerId ?? '';
  const [subject, setSubject] = useState(self);
  const q = useQuery<MyLibraryData>(MY_LIBRARY, { id: subject });
  const c = q.data?.customer;
  return (
    <>
      <PageTitle>{c?.firstName ? `${c.firstName}’s library` : 'My library'}</PageTitle>
      {c && c.wards.length > 0 && (
        <div className="field-inline">
          <label htmlFor="subject">Showing</label>
          <select id="subject" value={subject} onChange={(e) => setSubject(e.target.value)}>
            <option value={self}>My own account</option>
            {c.wards.map((w) => (
              <option key={w.id} value={w.id}>
                {[w.firstName, w.lastName].filter(Boolean).join(' ') || `Child ${w.id}`}
              </option>
            ))}
          </select>
        </div>
      )}
      {q.loading && !c && <Loading what="your library" />}
      <ErrorNotice error={q.error} />
      {c && (
        <div className="grid">
          <Suggestions customer={c} reload={q.reload} />
          <Events customer={c} />
          <Interests customer={c} reload={q.reload} />
          <History customer={c} />
          <Privacy customer={c} reload={q.reload} />
          <YourData customer={c} isSelf={subject === self} />
        </div>
      )}
    </>
  );
}

type C = MyLibraryData['customer'];

function Suggestions({ customer, reload }: { customer: C; reload(): void }) {
  const [error, setError] = useState<unknown>(null);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [status, setStatus] = useState('');
  const dismiss = async (itemId: string, title: string) => {
    setError(null);
    try {
      await gql(
        `mutation($c: ID!, $i: ID!) { dismissRecommendation(customerId: $c, itemId: $i) }`,
        {
          c: customer.id,
          i: itemId,
        },
      );
      setHidden((h) => new Set(h).add(itemId));
      setStatus(`“${title}” will not be suggested again.`);
      reload();
    } catch (err) {
      setError(err);
    }
  };
  const list = customer.recommendations.filter((r) => !hidden.has(r.item.id));
  const note =
    customer.recommendationMode === 'OFF'
      ? 'You chose no personal suggestions, so these are popular titles.'
      : customer.recommendationsSource === 'PERSONAL'
        ? 'Picked for you.'
        : 'Popular near you while your personal suggestions are prepared.';
  return (
    <Section id="suggestions" title="Suggested for you">
      <p className="muted">{note}</p>
      {status && <StatusNotice>{status}</StatusNotice>}
      <ErrorNotice error={error} />
      {list.length === 0 ? (
        <p>No suggestions right now.</p>
      ) : (
        <ul className="suggestions" aria-label="Suggested titles">
          {list.map((r) => (
            <li key={r.item.id} className="suggestion" data-item-id={r.item.id}>
              <div>
                <p className="item-title">{r.item.title}</p>
                <p className="muted">
                  {r.item.authors.join(', ') || 'Unknown author'} · {humanise(r.item.format)}
                </p>
                <ul className="reasons" aria-label={`Why we suggest ${r.item.title}`}>
                  {r.reasons.map((reason, i) => (
                    <li key={i}>{reason.text}</li>
                  ))}
                </ul>
              </div>
              {customer.recommendationMode !== 'OFF' && (
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Not for me: ${r.item.title}`}
                  onClick={() => dismiss(r.item.id, r.item.title)}
                >
                  Not for me
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function Events({ customer }: { customer: C }) {
  return (
    <Section id="events" title="Events for you">
      {customer.eventRecommendations.length === 0 ? (
        <p>No upcoming events to suggest.</p>
      ) : (
        <ul className="plain-list">
          {customer.eventRecommendations.map((e) => (
            <li key={e.event.id}>
              <p className="item-title">{e.event.title}</p>
              <p className="muted">
                {formatDateTime(e.event.startsAt)}
                {e.event.branch && ` · ${e.event.branch.name}`}
              </p>
              <p className="reason-line">{e.reasons.map((r) => r.text).join(' · ')}</p>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

const INTEREST_KINDS = ['SUBJECT', 'GENRE', 'AUTHOR', 'FORMAT', 'EVENT_TYPE', 'LANGUAGE'];

function Interests({ customer, reload }: { customer: C; reload(): void }) {
  const [kind, setKind] = useState('SUBJECT');
  const [label, setLabel] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const known = useQuery<{ interests: Array<{ id: string; label: string }> }>(
    `query($kind: InterestKind, $prefix: String) { interests(kind: $kind, prefix: $prefix) { id label } }`,
    { kind, prefix: label.trim() },
    { skip: label.trim().length < 2 },
  );
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await gql(
        `mutation($c: ID!, $input: DeclareInterestInput!) { declareInterest(customerId: $c, input: $input) { weight } }`,
        { c: customer.id, input: { kind, label: label.trim() } },
      );
      setStatus(`Added “${label.trim()}”.`);
      setLabel('');
      reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (id: string, what: string) => {
    setError(null);
    try {
      await gql(`mutation($c: ID!, $i: ID!) { withdrawInterest(customerId: $c, interestId: $i) }`, {
        c: customer.id,
        i: id,
      });
      setStatus(`Removed “${what}”.`);
      reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section id="interests" title="Your interests">
      {status && <StatusNotice>{status}</StatusNotice>}
      <ErrorNotice error={error} />
      {customer.interests.length === 0 ? (
        <p>You have not told us about any interests yet.</p>
      ) : (
        <ul className="chips" aria-label="Your interests">
          {customer.interests.map((i) => (
            <li key={i.interest.id} className="chip">
              <span>
                {i.interest.label}{' '}
                <span className="muted">
                  ({humanise(i.interest.kind)}
                  {i.source === 'INFERRED' ? ', from what you use' : ''})
                </span>
              </span>
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove ${i.interest.label}`}
                onClick={() => remove(i.interest.id, i.interest.label)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="row-form" onSubmit={add}>
        <div className="field">
          <label htmlFor="interest-kind">Kind</label>
          <select id="interest-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            <EnumOptions values={INTEREST_KINDS} />
          </select>
        </div>
        <div className="field grow">
          <label htmlFor="interest-label">Interest</label>
          <input
            id="interest-label"
            list="interest-options"
            required
            maxLength={120}
            value={label}
            onChange={(e) => setLabel(e.target.value)}
          />
          <datalist id="interest-options">
            {(known.data?.interests ?? []).slice(0, 20).map((i) => (
              <option key={i.id} value={i.label} />
            ))}
          </datalist>
        </div>
        <button type="submit" className="primary">
          Add interest
        </button>
      </form>
    </Section>
  );
}

interface HistoryPage {
  customer: {
    activity: {
      nodes: Array<{
        id: string;
        type: string;
        occurredAt: string;
        channel: string;
        item: { title: string } | null;
        event: { title: string } | null;
        branch: { name: string } | null;
      }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
}

function History({ customer }: { customer: C }) {
  const [pages, setPages] = useState<HistoryPage['customer']['activity'][]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const load = async (after: string | null) => {
    setBusy(true);
    setError(null);
    try {
      const d = await gql<HistoryPage>(HISTORY, { id: customer.id, after });
      setPages((p) => (after ? [...p, d.customer.activity] : [d.customer.activity]));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const rows = pages.flatMap((p) => p.nodes);
  const last = pages[pages.length - 1];
  const explanation: Record<HistoryChoice, string> = {
    KEEP: 'You keep your history: it stays linked to you until you change your mind.',
    DEFAULT: 'Your history is detached from you after the library’s retention period.',
    NEVER: 'You chose not to keep a history: each loan is detached from you when it ends.',
  };
  return (
    <Section id="history" title="Your history">
      <p className="muted">{explanation[customer.historyChoice]}</p>
      <ErrorNotice error={error} />
      {pages.length === 0 ? (
        <button type="button" className="secondary" onClick={() => load(null)} disabled={busy}>
          Show my history
        </button>
      ) : rows.length === 0 ? (
        <p>Nothing is linked to you.</p>
      ) : (
        <>
          <ul className="plain-list compact">
            {rows.map((a) => (
              <li key={a.id}>
                <span className="muted">{formatDate(a.occurredAt)}</span> {humanise(a.type)}
                {(a.item || a.event) && `: ${a.item?.title ?? a.event?.title}`}
                {a.branch && <span className="muted"> · {a.branch.name}</span>}
              </li>
            ))}
          </ul>
          {last?.pageInfo.hasNextPage && (
            <button
              type="button"
              className="secondary"
              onClick={() => load(last.pageInfo.endCursor)}
              disabled={busy}
            >
              Show more
            </button>
          )}
        </>
      )}
    </Section>
  );
}

const MODES: Array<[Mode, string]> = [
  ['FULL', 'Use what I borrow and attend, and the interests I tell you'],
  ['INTERESTS_ONLY', 'Use only the interests I tell you'],
  ['OFF', 'No personal suggestions'],
];
const HISTORY_CHOICES: Array<[HistoryChoice, string]> = [
  ['KEEP', 'Keep my history'],
  ['DEFAULT', 'Keep it for the library’s usual period, then detach it from me'],
  ['NEVER', 'Do not keep a history'],
];
const CHANNELS = ['EMAIL', 'SMS', 'POST', 'APP'];

function Privacy({ customer, reload }: { customer: C; reload(): void }) {
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (what: string, query: string, vars: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      await gql(query, { c: customer.id, ...vars });
      setStatus(`Saved: ${what}.`);
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const granted = (purpose: string, channel: string | null) =>
    customer.consents.some((c) => c.purpose === purpose && c.channel === channel && c.granted);
  const toggle = (purpose: string, channel: string | null, give: boolean) =>
    run(
      `${humanise(purpose)}${channel ? ` by ${channel.toLowerCase()}` : ''} ${give ? 'given' : 'withdrawn'}`,
      `mutation($c: ID!, $input: ConsentChangeInput!) { ${give ? 'giveConsent' : 'withdrawConsent'}(customerId: $c, input: $input) { id } }`,
      {
        input: { purpose, ...(channel ? { channel } : {}), source: 'WEB', wordingVersion: WORDING },
      },
    );
  return (
    <Section id="privacy" title="Privacy choices">
      {status && <StatusNotice>{status}</StatusNotice>}
      <ErrorNotice error={error} />
      <fieldset disabled={busy}>
        <legend>What may personal suggestions use?</legend>
        {MODES.map(([mode, text]) => (
          <label key={mode} className="choice">
            <input
              type="radio"
              name="mode"
              value={mode}
              checked={customer.recommendationMode === mode}
              onChange={() =>
                run(
                  `suggestions: ${text.toLowerCase()}`,
                  `mutation($c: ID!, $m: RecommendationMode!, $w: String!) { setRecommendationMode(customerId: $c, mode: $m, wordingVersion: $w) { id } }`,
                  { m: mode, w: WORDING },
                )
              }
            />
            {text}
          </label>
        ))}
      </fieldset>
      <fieldset disabled={busy}>
        <legend>How long may we keep your history?</legend>
        {HISTORY_CHOICES.map(([choice, text]) => (
          <label key={choice} className="choice">
            <input
              type="radio"
              name="history"
              value={choice}
              checked={customer.historyChoice === choice}
              onChange={() =>
                run(
                  `history: ${text.toLowerCase()}`,
                  `mutation($c: ID!, $input: HistoryChoiceInput!) { setHistoryChoice(customerId: $c, input: $input) { id } }`,
                  { input: { choice, source: 'WEB', wordingVersion: WORDING } },
                )
              }
            />
            {text}
          </label>
        ))}
      </fieldset>
      {(
        [
          ['SERVICE_MESSAGES', 'Messages about your loans, holds and bookings'],
          ['MARKETING', 'News about books, events and services you may like'],
        ] as const
      ).map(([purpose, legend]) => (
        <fieldset key={purpose} disabled={busy}>
          <legend>{legend}</legend>
          <div className="checks">
            {CHANNELS.map((channel) => (
              <label key={channel} className="choice">
                <input
                  type="checkbox"
                  checked={granted(purpose, channel)}
                  onChange={(e) => toggle(purpose, channel, e.target.checked)}
                />
                {humanise(
                  channel === 'SMS'
                    ? 'TEXT_MESSAGE'
                    : channel === 'APP'
                      ? 'APP_NOTIFICATION'
                      : channel,
                )}
              </label>
            ))}
          </div>
        </fieldset>
      ))}
      <fieldset disabled={busy}>
        <legend>Planning</legend>
        <label className="choice">
          <input
            type="checkbox"
            checked={granted('DEMOGRAPHICS_FOR_PLANNING', null)}
            onChange={(e) => toggle('DEMOGRAPHICS_FOR_PLANNING', null, e.target.checked)}
          />
          Count me (never by name) when the library plans where services are needed
        </label>
      </fieldset>
    </Section>
  );
}

function YourData({ customer, isSelf }: { customer: C; isSelf: boolean }) {
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const log = useQuery<{
    customer: {
      accessLog: Array<{
        id: string;
        at: string;
        actor: string;
        actorRole: string;
        action: string;
        reason: string | null;
      }>;
    };
  }>(ACCESS_LOG, { id: customer.id });
  const download = async () => {
    setError(null);
    try {
      const d = await gql<{ exportMyData: unknown }>('{ exportMyData }');
      downloadText(
        `my-library-data-${new Date().toISOString().slice(0, 10)}.json`,
        'application/json',
        JSON.stringify(d.exportMyData, null, 2),
      );
      setStatus('Your data has been downloaded as a JSON file.');
    } catch (err) {
      setError(err);
    }
  };
  const entries = log.data?.customer.accessLog ?? [];
  return (
    <Section id="your-data" title="Your data">
      {isSelf && (
        <>
          <p>Everything the library holds about you, in one file you can keep.</p>
          <button type="button" className="primary" onClick={download}>
            Download my data
          </button>
          {status && <StatusNotice>{status}</StatusNotice>}
          <ErrorNotice error={error} />
        </>
      )}
      <h3>Who looked at your record</h3>
      {log.error ? (
        <p role="alert">{describeError(log.error)}</p>
      ) : entries.length === 0 ? (
        <p className="muted">{log.loading ? 'Loading…' : 'Nobody but you.'}</p>
      ) : (
        <ul className="plain-list compact">
          {entries.map((e) => (
            <li key={e.id}>
              <span className="muted">{formatDateTime(e.at)}</span> {e.actor} (
              {humanise(e.actorRole)}): {e.action}
              {e.reason && <> — “{e.reason}”</>}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
