import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import {
  DataTable,
  ErrorNotice,
  formatDate,
  formatNumber,
  humanise,
  PageTitle,
  Section,
  StatusNotice,
} from '../components/common';
import {
  CheckGroup,
  EnumOptions,
  InterestPicker,
  NumberField,
  RecentAtLeast,
} from '../components/pickers';
import { gql } from '../lib/api';
import {
  type Builder,
  type Condition,
  CONDITION_LABELS,
  type ConditionType,
  emptyCondition,
  fromFilter,
  type Picked,
  toFilter,
} from '../lib/segment';
import { useQuery } from '../lib/use-query';

const KINDS = [
  'BORROWER',
  'MEMBER',
  'EVENT_ATTENDEE',
  'ONLINE_USER',
  'PC_USER',
  'VISITOR',
  'GROUP',
];
const AGE_BANDS = [
  'CHILD_0_4',
  'CHILD_5_11',
  'TEEN_12_17',
  'ADULT_18_24',
  'ADULT_25_44',
  'ADULT_45_64',
  'ADULT_65_PLUS',
  'UNKNOWN',
];
const STATUSES = ['ACTIVE', 'LAPSED', 'BLOCKED'];
const ACTIVITY_TYPES = [
  'LOAN',
  'RENEWAL',
  'HOLD_PLACED',
  'VISIT',
  'EVENT_BOOKED',
  'EVENT_ATTENDED',
  'PC_SESSION',
  'DOWNLOAD',
  'CATALOGUE_VIEW',
  'SEARCH',
  'ENQUIRY',
  'OUTREACH_VISIT',
  'RATING',
];
const PURPOSES = [
  'MARKETING',
  'SERVICE_MESSAGES',
  'PERSONALISATION',
  'HISTORY_RETENTION',
  'DEMOGRAPHICS_FOR_PLANNING',
];
const CHANNELS = ['EMAIL', 'SMS', 'POST', 'APP'];
const CHANNELLED = new Set(['MARKETING', 'SERVICE_MESSAGES']);

export const SEGMENT_PREVIEW = `query Preview($f: SegmentFilterInput, $s: ID) {
  segmentPreview(filter: $f, segmentId: $s) {
    customers threshold evaluatedAt
    channels { channel withAddress marketingConsent reachableForMarketing reachableForServiceInformation }
  }
}`;

export interface Preview {
  customers: number | null;
  threshold: number;
  evaluatedAt: string;
  channels: Array<{
    channel: string;
    withAddress: number | null;
    marketingConsent: number | null;
    reachableForMarketing: number | null;
    reachableForServiceInformation: number | null;
  }>;
}

interface SavedSegment {
  id: string;
  name: string;
  description: string | null;
  filter: Record<string, unknown>;
  createdBy: string;
  updatedAt: string;
}

const SEGMENTS = `{ segments { id name description filter createdBy updatedAt } }`;

/** Labels of interests chosen in this tab, so a reloaded segment can show names, not ids. */
const interestLabels = new Map<string, string>();
const rememberInterest = (p: Picked) => interestLabels.set(p.id, p.label);

let nextKey = 1;
const newRow = (type: ConditionType) => ({
  key: nextKey++,
  exclude: false,
  condition: emptyCondition(type),
});

/** Marketing: build a segment, watch its size and reach change, save it for campaigns. */
export function SegmentsScreen() {
  const [builder, setBuilder] = useState<Builder>({ combine: 'ALL', rows: [newRow('activity')] });
  const [editing, setEditing] = useState<SavedSegment | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [addType, setAddType] = useState<ConditionType>('interests');
  const saved = useQuery<{ segments: SavedSegment[] }>(SEGMENTS, {});
  const { filter, problems } = toFilter(builder);

  const update = (key: number, change: Partial<{ exclude: boolean; condition: Condition }>) =>
    setBuilder((b) => ({
      ...b,
      rows: b.rows.map((r) => (r.key === key ? { ...r, ...change } : r)),
    }));
  const load = (s: SavedSegment) => {
    const b = fromFilter(s.filter, interestLabels);
    setEditing(s);
    setName(s.name);
    setDescription(s.description ?? '');
    setStatus('');
    if (b) {
      nextKey = Math.max(nextKey, ...b.rows.map((r) => r.key + 1));
      setBuilder(b);
    } else {
      setError(
        new Error(
          'This segment was made with conditions this builder cannot show; it can still be used by campaigns.',
        ),
      );
    }
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!filter) return;
    setError(null);
    try {
      const input = { name: name.trim(), description: description.trim() || null, filter };
      const d = editing
        ? await gql<{ updateSegment: SavedSegment }>(
            `mutation($id: ID!, $input: SegmentUpdateInput!) { updateSegment(id: $id, input: $input) { id name description filter createdBy updatedAt } }`,
            { id: editing.id, input },
          )
        : await gql<{ createSegment: SavedSegment }>(
            `mutation($input: SegmentInput!) { createSegment(input: $input) { id name description filter createdBy updatedAt } }`,
            { input },
          );
      const segment = 'updateSegment' in d ? d.updateSegment : d.createSegment;
      setEditing(segment);
      setStatus(`Saved “${segment.name}”.`);
      saved.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (s: SavedSegment) => {
    setError(null);
    try {
      await gql(`mutation($id: ID!) { deleteSegment(id: $id) }`, { id: s.id });
      if (editing?.id === s.id) setEditing(null);
      setStatus(`Deleted “${s.name}”.`);
      saved.reload();
    } catch (err) {
      setError(err);
    }
  };
  const startNew = () => {
    setEditing(null);
    setName('');
    setDescription('');
    setStatus('');
    setBuilder({ combine: 'ALL', rows: [newRow('activity')] });
  };

  return (
    <>
      <PageTitle>Segments</PageTitle>
      <p className="muted">
        Describe who a campaign is for. Only counts are ever shown: no customer is named here.
      </p>
      <div className="split">
        <div>
          <Section id="builder" title={editing ? `Editing “${editing.name}”` : 'New segment'}>
            <fieldset>
              <legend>Customers who match</legend>
              <div className="checks">
                {(
                  [
                    ['ALL', 'all of these conditions'],
                    ['ANY', 'any of these conditions'],
                  ] as const
                ).map(([v, text]) => (
                  <label key={v} className="choice">
                    <input
                      type="radio"
                      name="combine"
                      checked={builder.combine === v}
                      onChange={() => setBuilder((b) => ({ ...b, combine: v }))}
                    />
                    {text}
                  </label>
                ))}
              </div>
            </fieldset>
            <ol className="plain-list" aria-label="Conditions">
              {builder.rows.map((row, i) => (
                <li key={row.key} className="condition">
                  <div className="condition-head">
                    <strong>
                      {i + 1}. {CONDITION_LABELS[row.condition.type]}
                    </strong>
                    <label className="choice">
                      <input
                        type="checkbox"
                        checked={row.exclude}
                        onChange={(e) => update(row.key, { exclude: e.target.checked })}
                      />
                      Leave these people out instead
                    </label>
                    <button
                      type="button"
                      className="link-button"
                      aria-label={`Remove condition ${i + 1}: ${CONDITION_LABELS[row.condition.type]}`}
                      onClick={() =>
                        setBuilder((b) => ({ ...b, rows: b.rows.filter((r) => r.key !== row.key) }))
                      }
                    >
                      Remove
                    </button>
                  </div>
                  <ConditionEditor
                    condition={row.condition}
                    onChange={(c) => update(row.key, { condition: c })}
                  />
                </li>
              ))}
            </ol>
            <div className="row-form">
              <div className="field">
                <label htmlFor="add-condition">Add a condition</label>
                <select
                  id="add-condition"
                  value={addType}
                  onChange={(e) => setAddType(e.target.value as ConditionType)}
                >
                  {(Object.keys(CONDITION_LABELS) as ConditionType[]).map((t) => (
                    <option key={t} value={t}>
                      {CONDITION_LABELS[t]}
                    </option>
                  ))}
                </select>
              </div>
              <button
                type="button"
                className="secondary"
                onClick={() => setBuilder((b) => ({ ...b, rows: [...b.rows, newRow(addType)] }))}
              >
                Add condition
              </button>
            </div>
          </Section>
          <Section id="save" title="Save for campaigns">
            {status && <StatusNotice>{status}</StatusNotice>}
            <ErrorNotice error={error} />
            <form className="stack" onSubmit={save}>
              <label htmlFor="segment-name">Segment name</label>
              <input
                id="segment-name"
                required
                maxLength={200}
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
              <label htmlFor="segment-description">Description (optional)</label>
              <textarea
                id="segment-description"
                rows={2}
                maxLength={2000}
                value={description}
                onChange={(e) => setDescription(e.target.value)}
              />
              <div className="row-form">
                <button type="submit" className="primary" disabled={!filter}>
                  {editing ? 'Save changes' : 'Save segment'}
                </button>
                {editing && (
                  <button type="button" className="secondary" onClick={startNew}>
                    Start a new segment
                  </button>
                )}
              </div>
            </form>
          </Section>
        </div>
        <div className="sticky">
          <LivePreview filter={filter} problems={problems} />
          <Section id="saved" title="Saved segments">
            <ErrorNotice error={saved.error} />
            {saved.data && saved.data.segments.length === 0 && <p className="muted">None yet.</p>}
            <ul className="plain-list">
              {saved.data?.segments.map((s) => (
                <li key={s.id}>
                  <p className="item-title">{s.name}</p>
                  {s.description && <p className="small">{s.description}</p>}
                  <p className="muted small">
                    {s.createdBy} · changed {formatDate(s.updatedAt)}
                  </p>
                  <div className="row-form">
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => load(s)}
                      aria-label={`Edit ${s.name}`}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => remove(s)}
                      aria-label={`Delete ${s.name}`}
                    >
                      Delete
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          </Section>
        </div>
      </div>
    </>
  );
}

function ConditionEditor({
  condition: c,
  onChange,
}: {
  condition: Condition;
  onChange(c: Condition): void;
}) {
  const id = useId();
  switch (c.type) {
    case 'kinds':
      return (
        <CheckGroup
          legend="Kinds"
          options={KINDS}
          values={c.values}
          onChange={(values) => onChange({ ...c, values })}
        />
      );
    case 'ageBands':
      return (
        <CheckGroup
          legend="Age bands today"
          options={AGE_BANDS}
          values={c.values}
          onChange={(values) => onChange({ ...c, values })}
        />
      );
    case 'statuses':
      return (
        <CheckGroup
          legend="Statuses"
          options={STATUSES}
          values={c.values}
          onChange={(values) => onChange({ ...c, values })}
        />
      );
    case 'homeBranches':
      return <BranchChecks values={c.values} onChange={(values) => onChange({ ...c, values })} />;
    case 'postcodeAreas':
      return (
        <div className="field">
          <label htmlFor={`${id}-areas`}>Postcode areas or districts, separated by commas</label>
          <input
            id={`${id}-areas`}
            value={c.text}
            placeholder="LS, BD3"
            onChange={(e) => onChange({ ...c, text: e.target.value })}
          />
        </div>
      );
    case 'registered':
      return (
        <NumberField
          label="Registered in the last … days"
          value={c.lastDays}
          onChange={(lastDays) => onChange({ ...c, lastDays })}
        />
      );
    case 'interests':
      return (
        <>
          <InterestPicker
            label="Interests"
            chosen={c.interests}
            onChange={(interests) => onChange({ ...c, interests })}
            remember={rememberInterest}
          />
          <label className="choice">
            <input
              type="checkbox"
              checked={c.match === 'ALL'}
              onChange={(e) => onChange({ ...c, match: e.target.checked ? 'ALL' : 'ANY' })}
            />
            Must have every one of them (otherwise any one)
          </label>
        </>
      );
    case 'activity':
      return (
        <>
          <CheckGroup
            legend="Any of these"
            options={ACTIVITY_TYPES}
            values={c.types}
            onChange={(types) => onChange({ ...c, types })}
          />
          <InterestPicker
            label="About these subjects, genres, authors or topics (optional)"
            chosen={c.subjects}
            onChange={(subjects) => onChange({ ...c, subjects })}
            remember={rememberInterest}
          />
          <RecentAtLeast
            lastDays={c.lastDays}
            atLeast={c.atLeast}
            things="times"
            onChange={(v) => onChange({ ...c, ...v })}
          />
        </>
      );
    case 'noActivity':
      return (
        <>
          <NumberField
            label="Nothing in the last … days"
            value={c.lastDays}
            onChange={(lastDays) => onChange({ ...c, lastDays })}
          />
          <CheckGroup
            legend="Counting only these (optional)"
            options={ACTIVITY_TYPES}
            values={c.types}
            onChange={(types) => onChange({ ...c, types })}
          />
        </>
      );
    case 'attended':
      return (
        <>
          <InterestPicker
            label="Events about (optional)"
            chosen={c.topics}
            onChange={(topics) => onChange({ ...c, topics })}
            remember={rememberInterest}
          />
          <RecentAtLeast
            lastDays={c.lastDays}
            atLeast={c.atLeast}
            things="events"
            onChange={(v) => onChange({ ...c, ...v })}
          />
        </>
      );
    case 'consent':
      return (
        <div className="row-form">
          <div className="field">
            <label htmlFor={`${id}-purpose`}>Purpose</label>
            <select
              id={`${id}-purpose`}
              value={c.purpose}
              onChange={(e) =>
                onChange({
                  ...c,
                  purpose: e.target.value,
                  channel: CHANNELLED.has(e.target.value) ? (c.channel ?? 'EMAIL') : null,
                })
              }
            >
              <EnumOptions values={PURPOSES} />
            </select>
          </div>
          {CHANNELLED.has(c.purpose) && (
            <div className="field">
              <label htmlFor={`${id}-channel`}>Channel</label>
              <select
                id={`${id}-channel`}
                value={c.channel ?? 'EMAIL'}
                onChange={(e) => onChange({ ...c, channel: e.target.value })}
              >
                <EnumOptions values={CHANNELS} />
              </select>
            </div>
          )}
          <label className="choice">
            <input
              type="checkbox"
              checked={c.granted}
              onChange={(e) => onChange({ ...c, granted: e.target.checked })}
            />
            Given (untick for people who have not given it)
          </label>
        </div>
      );
  }
}

function BranchChecks({ values, onChange }: { values: string[]; onChange(v: string[]): void }) {
  const q = useQuery<{ branches: Array<{ id: string; name: string }> }>(
    `{ branches { id name } }`,
    {},
  );
  const names = new Map((q.data?.branches ?? []).map((b) => [b.id, b.name]));
  return (
    <CheckGroup
      legend="Home branches"
      options={(q.data?.branches ?? []).map((b) => b.id)}
      values={values}
      onChange={onChange}
      label={(id) => names.get(id) ?? id}
    />
  );
}

/** Waits until the builder has been still for a moment, so typing does not flood the API. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  const key = JSON.stringify(value);
  const latest = useRef(value);
  latest.current = value;
  useEffect(() => {
    const t = setTimeout(() => setSettled(latest.current), ms);
    return () => clearTimeout(t);
  }, [key, ms]);
  return settled;
}

/** The rows of the reach table: what each channel's counts mean. */
const REACH_MEASURES = [
  { key: 'withAddress', label: 'can be contacted on it' },
  { key: 'marketingConsent', label: 'agreed to marketing on it' },
  { key: 'reachableForMarketing', label: 'a marketing campaign reaches' },
  { key: 'reachableForServiceInformation', label: 'a service information campaign reaches' },
] as const;

const fewer = (n: number | null, threshold: number) =>
  n === null ? `fewer than ${threshold}` : formatNumber(n);

/** The segment's size and reach, recounted by the API as the conditions change. */
export function LivePreview({
  filter,
  segmentId,
  problems,
}: {
  filter?: Record<string, unknown> | null;
  segmentId?: string | null;
  problems: string[];
}) {
  const settled = useDebounced(filter ?? null, 400);
  const q = useQuery<{ segmentPreview: Preview }>(
    SEGMENT_PREVIEW,
    segmentId ? { s: segmentId } : { f: settled },
    { skip: !segmentId && !settled },
  );
  const p = q.data?.segmentPreview;
  return (
    <Section id="preview" title="Who this reaches">
      <div aria-live="polite" aria-atomic="true">
        {problems.length > 0 ? (
          <ul className="small">
            {problems.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        ) : q.loading ? (
          <p className="muted">Counting…</p>
        ) : p ? (
          <p>
            <span className="count-big" data-testid="segment-count">
              {fewer(p.customers, p.threshold)}
            </span>{' '}
            customers
          </p>
        ) : null}
      </div>
      <ErrorNotice error={q.error} />
      {p && problems.length === 0 && (
        <>
          <DataTable
            caption="Reach by channel"
            rowKey={(m) => m.label}
            rows={[...REACH_MEASURES]}
            columns={[
              { header: 'Customers who…', cell: (m) => m.label },
              ...p.channels.map((ch) => ({
                header: humanise(ch.channel),
                numeric: true,
                cell: (m: (typeof REACH_MEASURES)[number]) => fewer(ch[m.key], p.threshold),
              })),
            ]}
          />
          <p className="muted small">
            Counts under {p.threshold} are not shown, so small groups cannot be told apart.
          </p>
        </>
      )}
    </Section>
  );
}
