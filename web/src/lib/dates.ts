/** The zone the API cuts report periods in; the console's date pickers mean days there. */
export const REPORT_TIME_ZONE = 'Europe/London';

/** How far `zone`'s clock is ahead of UTC at instant `t` (ms since the epoch), in ms. */
function zoneOffsetMs(zone: string, t: number): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return wall - Math.floor(t / 60_000) * 60_000;
}

/**
 * The instant a calendar day (`YYYY-MM-DD`, as a date input gives it) begins in `zone`, as ISO
 * 8601: 1 June 2025 in London begins at 2025-05-31T23:00:00.000Z. So a range picked by day
 * lines up with the periods the reports are cut in.
 */
export function startOfDayIn(day: string, zone = REPORT_TIME_ZONE): string {
  const [y, m, d] = day.split('-').map(Number);
  const midnightUtc = Date.UTC(y, m - 1, d);
  let t = midnightUtc - zoneOffsetMs(zone, midnightUtc);
  // Near a clock change the offset at the guess may differ from the offset at the answer.
  t = midnightUtc - zoneOffsetMs(zone, t);
  return new Date(t).toISOString();
}
