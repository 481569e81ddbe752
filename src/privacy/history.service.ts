import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { AuditService } from '../audit/audit.service';
import { fromZod } from '../common/errors';
import type { Logger } from '../common/logger';
import { ConsentPurpose, HistoryChoice } from '../consent/consent.enums';
import { lockConsentSubject } from '../consent/consent.repository';
import { historyConsentFor, parseConsentInput } from '../consent/consent.rules';
import {
  auditDetails,
  type ChangedBy,
  type ConsentChange,
  type ConsentService,
} from '../consent/consent.service';
import { attributeOutcomes } from '../recommendations/impression.repository';
import { type DetachKind, detachBatch } from './history.repository';

/** Rows detached per statement: large enough to be quick, small enough that locks stay short. */
export const ANONYMISE_BATCH = 10_000;

const choiceSchema = z.object({ choice: z.enum(HistoryChoice) });

/**
 * Each customer's reading-history choice. Choosing is also a consent decision, so every choice
 * appends a HISTORY_RETENTION row to the consent ledger (KEEP gives it, DEFAULT and NEVER
 * withdraw it; see `historyConsentFor`) and the recommendation mode is recomputed, all in one
 * transaction with the audit entry.
 */
export class HistoryService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly consent: ConsentService,
    private readonly log: Logger,
  ) {}

  /** Sets the choice; `input` carries `choice`, `source` and `wordingVersion`. */
  async setHistoryChoice(
    customerId: string,
    input: unknown,
    by: ChangedBy,
  ): Promise<ConsentChange> {
    const parsed = choiceSchema.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error, 'input');
    const { choice } = parsed.data;
    const consent = parseConsentInput({
      ...(input as Record<string, unknown>),
      purpose: ConsentPurpose.HISTORY_RETENTION,
      channel: null,
      granted: historyConsentFor(choice),
    });
    const change = await this.ds.transaction(async (tx) => {
      const subject = await lockConsentSubject(tx, customerId);
      const result = await this.consent.appendLocked(tx, subject, consent, choice);
      await this.audit.record(
        by.actor,
        by.requestId,
        [
          {
            action: 'history.choice',
            targetType: 'customer',
            targetId: subject.id,
            customerId: subject.id,
            details: { ...auditDetails(consent, result), choice },
          },
        ],
        tx,
      );
      return result;
    });
    this.log.info({
      event: 'history.choice_set',
      customerId: change.customerId,
      choice,
      modeBefore: change.modeBefore,
      modeAfter: change.modeAfter,
    });
    await this.consent.applyModeChange(change);
    return change;
  }
}

export interface AnonymiseOptions {
  /** The time of the run: the retention cut-off is counted back from it and it is stamped. */
  now: Date;
  /** Days activity of DEFAULT customers stays linked to them. */
  retentionDays: number;
  batchSize?: number;
  /**
   * RECOMMENDATION_ATTRIBUTION_DAYS. When given, suggestions shown are first matched with the
   * clicks and loans that followed, since a loan cannot be matched once it is detached.
   */
  attributionDays?: number;
}

export interface AnonymiseResult {
  /** Entries of DEFAULT customers older than the retention period. */
  defaultDetached: number;
  /** Entries of NEVER customers whose loan has ended (or that belong to no loan). */
  neverDetached: number;
  /** Entries still linked to erased customers (normally none). */
  erasedDetached: number;
  /** Statements run. */
  batches: number;
}

/** Order matters: a NEVER customer's RETURNs go after the loan entries they close. */
const PASSES: ReadonlyArray<{
  kind: DetachKind;
  counter: keyof Omit<AnonymiseResult, 'batches'>;
}> = [
  { kind: 'DEFAULT', counter: 'defaultDetached' },
  { kind: 'NEVER_ENTRIES', counter: 'neverDetached' },
  { kind: 'NEVER_RETURNS', counter: 'neverDetached' },
  { kind: 'ERASED', counter: 'erasedDetached' },
];

/**
 * Detaches activity from customers as their history choice says, in batches:
 * - KEEP: never.
 * - DEFAULT: entries older than `retentionDays`.
 * - NEVER: every entry except those of a loan still running — LOAN, RENEWAL and HOLD_* entries
 *   for an item the customer has not RETURNed since. A RETURN is detached once the entries
 *   it closes are. Anything older than `retentionDays` goes regardless, as for DEFAULT.
 * - ERASED customers: everything (a safety net; erasure already detaches all).
 *
 * Only the link to the customer goes: type, time, branch, item, event and age band stay, so
 * statistics are the same before and after. Running it again detaches nothing new.
 */
export async function anonymiseHistory(
  ds: DataSource,
  opts: AnonymiseOptions,
): Promise<AnonymiseResult> {
  const limit = opts.batchSize ?? ANONYMISE_BATCH;
  const cutoff = new Date(opts.now.getTime() - opts.retentionDays * 24 * 3600 * 1000);
  const result: AnonymiseResult = {
    defaultDetached: 0,
    neverDetached: 0,
    erasedDetached: 0,
    batches: 0,
  };
  if (opts.attributionDays) {
    await attributeOutcomes(ds, { now: opts.now, windowDays: opts.attributionDays });
  }
  for (const pass of PASSES) {
    for (;;) {
      const n = await detachBatch(ds, pass.kind, { cutoff, now: opts.now, limit });
      result.batches++;
      result[pass.counter] += n;
      if (n < limit) break;
    }
  }
  return result;
}
