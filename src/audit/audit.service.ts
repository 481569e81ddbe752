import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/role';

/** Chain start: the hash the first entry points back to. */
export const GENESIS_HASH = '0'.repeat(64);
/** Serialises writers so each entry links to exactly the one before it. */
const CHAIN_LOCK = 0x636f6d6d; // "comm"

export interface AuditInput {
  action: string;
  targetType: string;
  targetId?: string | null;
  customerId?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditRow {
  id: string;
  at: string;
  actor: string;
  actor_role: string;
  action: string;
  target_type: string;
  target_id: string | null;
  customer_id: string | null;
  reason: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** JSON with object keys sorted, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The hash of an entry: its content and the previous entry's hash. */
export function entryHash(e: Omit<AuditRow, 'id' | 'hash'>): string {
  const content = [
    e.prev_hash,
    e.at,
    e.actor,
    e.actor_role,
    e.action,
    e.target_type,
    e.target_id,
    e.customer_id,
    e.reason,
    e.request_id,
    e.details,
  ];
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * The audit trail: every change and every read of personal or history data, hash-chained.
 * Writing is part of the operation it records — when the entry cannot be written, the read or
 * change does not happen.
 */
export class AuditService {
  constructor(private readonly ds: DataSource) {}

  /** Appends entries (in order) for one actor and request. */
  async record(
    actor: Actor,
    requestId: string | null,
    inputs: AuditInput[],
    tx?: EntityManager,
  ): Promise<void> {
    if (!inputs.length) return;
    const write = async (m: EntityManager) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      const [last] = await m.query('SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1');
      let prev: string = last?.hash ?? GENESIS_HASH;
      const at = new Date().toISOString();
      const rows = inputs.map((i) => {
        const row = {
          at,
          actor: actor.staffName ?? actor.subject,
          actor_role: actor.role,
          action: i.action,
          target_type: i.targetType,
          target_id: i.targetId ?? null,
          customer_id: i.customerId ?? null,
          reason: i.reason?.trim() || null,
          request_id: requestId,
          details: i.details ?? {},
          prev_hash: prev,
        };
        const hash = entryHash(row);
        prev = hash;
        return { ...row, hash };
      });
      await m.query(
        `INSERT INTO audit_entry (at, actor, actor_role, action, target_type, target_id, customer_id,
                                  reason, request_id, details, prev_hash, hash)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::bigint[], $8::text[], $9::text[], $10::jsonb[],
                              $11::text[], $12::text[])`,
        [
          rows.map((r) => r.at),
          rows.map((r) => r.actor),
          rows.map((r) => r.actor_role),
          rows.map((r) => r.action),
          rows.map((r) => r.target_type),
          rows.map((r) => r.target_id),
          rows.map((r) => r.customer_id),
          rows.map((r) => r.reason),
          rows.map((r) => r.request_id),
          rows.map((r) => JSON.stringify(r.details)),
          rows.map((r) => r.prev_hash),
          rows.map((r) => r.hash),
        ],
      );
    };
    if (tx) await write(tx);
    else await this.ds.transaction(write);
  }

  /** Entries about one customer, newest first: who looked at or changed their record. */
  async about(customerId: string, limit = 100): Promise<AuditRow[]> {
    return this.ds.query(
      `SELECT id::text, at, actor, actor_role, action, target_type, target_id, customer_id::text,
              reason, request_id, details, prev_hash, hash
         FROM audit_entry WHERE customer_id = $1 ORDER BY id DESC LIMIT $2`,
      [customerId, limit],
    );
  }
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** The first entry whose hash or link does not match, when the chain is broken. */
  brokenAt?: string;
  problem?: string;
}

/** Recomputes the whole chain in id order, a page at a time. */
export async function verifyAuditChain(ds: DataSource, pageSize = 10_000): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let after = '0';
  let checked = 0;
  for (;;) {
    const rows: Array<Omit<AuditRow, 'at'> & { at: Date }> = await ds.query(
      `SELECT id::text, at, actor, actor_role, action, target_type, target_id, customer_id::text,
              reason, request_id, details, prev_hash, hash
         FROM audit_entry WHERE id > $1 ORDER BY id LIMIT $2`,
      [after, pageSize],
    );
    for (const r of rows) {
      if (r.prev_hash !== prev)
        return {
          ok: false,
          checked,
          brokenAt: r.id,
          problem: 'does not link to the entry before it',
        };
      const expected = entryHash({ ...r, at: r.at.toISOString() });
      if (expected !== r.hash)
        return { ok: false, checked, brokenAt: r.id, problem: 'content does not match its hash' };
      prev = r.hash;
      checked++;
    }
    if (rows.length < pageSize) return { ok: true, checked };
    after = rows[rows.length - 1].id;
  }
}
