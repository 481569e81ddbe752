import type { DataSource, EntityManager } from 'typeorm';
import { labelKey } from '../common/validation';
import type { InterestKind } from './interest.enums';

export interface InterestRef {
  kind: InterestKind;
  label: string;
}

/**
 * Finds or creates taxonomy nodes for labels, in one statement, and returns their ids keyed by
 * `${kind}:${key}`. The first spelling seen becomes the label; later spellings share the node.
 */
export async function ensureInterests(
  db: DataSource | EntityManager,
  refs: readonly InterestRef[],
): Promise<Map<string, string>> {
  const unique = new Map<string, InterestRef & { key: string }>();
  for (const r of refs) {
    const key = labelKey(r.label);
    unique.set(`${r.kind}:${key}`, { ...r, label: r.label.trim().replace(/\s+/g, ' '), key });
  }
  if (unique.size === 0) return new Map();
  const list = [...unique.values()];
  const rows: { id: string; kind: string; key: string }[] = await db.query(
    `WITH wanted AS (
       SELECT * FROM unnest($1::interest_kind[], $2::text[], $3::text[]) AS w(kind, label, key)
     ), inserted AS (
       INSERT INTO interest (kind, label, key)
       SELECT kind, label, key FROM wanted
       ON CONFLICT (kind, key) DO NOTHING
       RETURNING id, kind, key
     )
     SELECT id::text, kind, key FROM inserted
     UNION ALL
     SELECT i.id::text, i.kind, i.key FROM interest i JOIN wanted w USING (kind, key)`,
    [list.map((r) => r.kind), list.map((r) => r.label), list.map((r) => r.key)],
  );
  return new Map(rows.map((r) => [`${r.kind}:${r.key}`, r.id]));
}

/** The id for one ref from a map returned by ensureInterests. */
export function interestIdOf(map: Map<string, string>, ref: InterestRef): string {
  const id = map.get(`${ref.kind}:${labelKey(ref.label)}`);
  if (!id) throw new Error(`interest ${ref.kind}:${ref.label} was not ensured`);
  return id;
}
