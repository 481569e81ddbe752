import { useId, useState } from 'react';
import type { Picked } from '../lib/segment';
import { useQuery } from '../lib/use-query';
import { humanise } from './common';

/** A set of checkboxes for enum values, in a fieldset named by its legend. */
export function CheckGroup({
  legend,
  options,
  values,
  onChange,
  label = humanise,
}: {
  legend: string;
  options: readonly string[];
  values: string[];
  onChange(values: string[]): void;
  label?: (value: string) => string;
}) {
  return (
    <fieldset className="check-group">
      <legend>{legend}</legend>
      <div className="checks">
        {options.map((o) => (
          <label key={o} className="choice">
            <input
              type="checkbox"
              checked={values.includes(o)}
              onChange={(e) =>
                onChange(e.target.checked ? [...values, o] : values.filter((v) => v !== o))
              }
            />
            {label(o)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** A whole number of days or times, empty meaning "not set". */
export function NumberField({
  label,
  value,
  onChange,
  min = 1,
  max = 3660,
}: {
  label: string;
  value: number | null;
  onChange(v: number | null): void;
  min?: number;
  max?: number;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
        className="narrow"
      />
    </div>
  );
}

/** One `<option>` per enum value, labelled readably, for a `<select>`. */
export function EnumOptions({ values }: { values: readonly string[] }) {
  return (
    <>
      {values.map((v) => (
        <option key={v} value={v}>
          {humanise(v)}
        </option>
      ))}
    </>
  );
}

/** "In the last … days" and "at least … <things>", side by side, either left empty. */
export function RecentAtLeast({
  lastDays,
  atLeast,
  things,
  onChange,
}: {
  lastDays: number | null;
  atLeast: number | null;
  things: string;
  onChange(v: { lastDays: number | null; atLeast: number | null }): void;
}) {
  return (
    <div className="row-form">
      <NumberField
        label="In the last … days"
        value={lastDays}
        onChange={(v) => onChange({ lastDays: v, atLeast })}
      />
      <NumberField
        label={`At least … ${things}`}
        value={atLeast}
        max={10000}
        onChange={(v) => onChange({ lastDays, atLeast: v })}
      />
    </div>
  );
}

/**
 * Chooses interests from the taxonomy by typing part of a label: matching labels are offered
 * as buttons, and chosen ones become removable chips.
 */
export function InterestPicker({
  label,
  kind,
  chosen,
  onChange,
  remember,
}: {
  label: string;
  kind?: string;
  chosen: Picked[];
  onChange(chosen: Picked[]): void;
  /** Called with every interest chosen, so labels can be shown again later. */
  remember?(p: Picked): void;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const q = useQuery<{ interests: Array<{ id: string; kind: string; label: string }> }>(
    `query($kind: InterestKind, $prefix: String) { interests(kind: $kind, prefix: $prefix) { id kind label } }`,
    { kind: kind ?? null, prefix: text.trim() },
    { skip: text.trim().length < 2 },
  );
  const offers = (q.data?.interests ?? [])
    .filter((i) => !chosen.some((c) => c.id === i.id))
    .slice(0, 8);
  const add = (p: Picked) => {
    remember?.(p);
    onChange([...chosen, p]);
    setText('');
  };
  return (
    <div className="picker">
      <label htmlFor={id}>{label}</label>
      {chosen.length > 0 && (
        <ul className="chips" aria-label={`${label}: chosen`}>
          {chosen.map((c) => (
            <li key={c.id} className="chip">
              {c.label}
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove ${c.label}`}
                onClick={() => onChange(chosen.filter((x) => x.id !== c.id))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        id={id}
        type="search"
        placeholder="Type at least two letters"
        value={text}
        onChange={(e) => setText(e.target.value)}
        autoComplete="off"
      />
      {text.trim().length >= 2 && (
        <div className="offers" aria-live="polite">
          {offers.length === 0 && !q.loading ? (
            <span className="muted small">No interest starts with “{text.trim()}”.</span>
          ) : (
            offers.map((o) => (
              <button
                type="button"
                key={o.id}
                className="offer"
                onClick={() => add({ id: o.id, label: o.label })}
              >
                + {o.label} <span className="muted">({humanise(o.kind)})</span>
              </button>
            ))
          )}
        </div>
      )}
    </div>
  );
}
