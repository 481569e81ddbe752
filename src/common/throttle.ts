/**
 * True at most once per `ms`: for log lines that an outage would otherwise repeat on every
 * request. Callers count what they skip in a metric instead.
 */
export function oncePer(ms: number): () => boolean {
  let last = -Infinity;
  return () => {
    const now = Date.now();
    if (now - last < ms) return false;
    last = now;
    return true;
  };
}
