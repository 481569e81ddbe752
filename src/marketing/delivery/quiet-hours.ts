/**
 * Quiet hours: local times at which no message goes out. Pure functions over a clock reading,
 * so the rule is unit-tested at the awkward moments (midnight, the window's edges, DST).
 */
export interface QuietHours {
  /** Minutes after local midnight the quiet time starts (included). */
  start: number;
  /** Minutes after local midnight it ends (excluded); may be before start (overnight). */
  end: number;
  timeZone: string;
}

/** Parses "21:00-08:00"; null for "off" or an empty window. */
export function parseQuietHours(spec: string, timeZone: string): QuietHours | null {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(spec.trim());
  if (!m) return null;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  return start === end ? null : { start, end, timeZone };
}

/** The local wall-clock minute of the day (and second) at an instant in a zone. */
export function localMinute(at: Date, timeZone: string): { minute: number; second: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { minute: get('hour') * 60 + get('minute'), second: get('second') };
}

function inWindow(minute: number, q: QuietHours): boolean {
  return q.start < q.end
    ? minute >= q.start && minute < q.end
    : minute >= q.start || minute < q.end;
}

/**
 * When sending may resume: null outside quiet hours, otherwise the instant the window ends.
 * Across a clock change the estimate can be an hour off; the caller checks again when it
 * resumes, so at worst it waits once more.
 */
export function quietUntil(now: Date, q: QuietHours | null): Date | null {
  if (!q) return null;
  const { minute, second } = localMinute(now, q.timeZone);
  if (!inWindow(minute, q)) return null;
  const minutesLeft = (q.end - minute + 1440) % 1440;
  return new Date(now.getTime() + minutesLeft * 60_000 - second * 1000 - now.getMilliseconds());
}
