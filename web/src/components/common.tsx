import { type ReactNode, useEffect, useRef } from 'react';
import { ApiError, describeError } from '../lib/api';

/** A failure, announced to screen readers; refusals are explained rather than hidden. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const forbidden = error instanceof ApiError && error.code === 'FORBIDDEN';
  return (
    <div className={forbidden ? 'notice notice-forbidden' : 'notice notice-error'} role="alert">
      {title && <strong>{title}: </strong>}
      {describeError(error)}
    </div>
  );
}

/** A short confirmation, read out politely. */
export function StatusNotice({ children }: { children: ReactNode }) {
  return (
    <p className="notice notice-ok" role="status">
      {children}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** A titled region of a page; the heading names it for assistive technology. */
export function Section({
  id,
  title,
  children,
  actions,
}: {
  id: string;
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="card" aria-labelledby={`${id}-title`} id={id}>
      <div className="card-head">
        <h2 id={`${id}-title`}>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** Moves focus to the page's main heading when the page changes, so keyboard users follow. */
export function PageTitle({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
    document.title = `${ref.current?.textContent ?? 'Console'} · Commonplace`;
  }, [children]);
  return (
    <h1 tabIndex={-1} ref={ref} className="page-title">
      {children}
    </h1>
  );
}

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  numeric?: boolean;
}

/** A plain table in a scrollable, focusable region so it stays usable on a phone. */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
}: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T, index: number) => string;
}) {
  return (
    <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={rowKey(row, i)}>
              {columns.map((c) => (
                <td key={c.header} className={c.numeric ? 'num' : undefined}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
});
const numberFormat = new Intl.NumberFormat('en-GB');

export const formatDate = (iso: string | null | undefined) =>
  iso ? dateFormat.format(new Date(iso)) : '—';
export const formatDateTime = (iso: string | null | undefined) =>
  iso ? dateTimeFormat.format(new Date(iso)) : '—';
export const formatNumber = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : numberFormat.format(n);
export const formatPercent = (rate: number | null | undefined, digits = 1) =>
  rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(digits)}%`;

const ACRONYMS = new Set(['SMS']);

/** SCREAMING_CASE enum values as words: "EVENT_ATTENDED" → "Event attended". */
export function humanise(value: string | null | undefined): string {
  if (!value) return '—';
  if (ACRONYMS.has(value)) return value;
  const words = value.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
