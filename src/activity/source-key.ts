import { createHash } from 'node:crypto';

/**
 * A deterministic idempotency key for entries whose recording system supplied none, so that
 * sending the same entry twice still records it once.
 */
export function deriveSourceKey(parts: Array<string | number | Date | null | undefined>): string {
  const text = parts
    .map((p) => (p instanceof Date ? p.toISOString() : p == null ? '' : String(p)))
    .join('\u001f');
  return `derived:${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}
