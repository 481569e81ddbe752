import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/role';
import { assertId } from '../common/ids';
import type { SqlExecutor } from '../outbox/outbox';
import { type Logger, safeError } from '../common/logger';
import { RecommendationMode } from '../recommendations/recommendation.enums';
import { detachImpressions } from '../recommendations/impression.repository';
import type { ConsentRecord } from './consent-record.entity';
import { ConsentPurpose, type HistoryChoice } from './consent.enums';
import {
  appendConsent,
  type ConsentSubject,
  consentRows,
  latestConsentRows,
  lockConsentSubject,
  updateConsentSubject,
} from './consent.repository';
import {
  type ConsentInput,
  type CurrentConsent,
  currentConsents,
  historyChoiceAfterConsent,
  modeAfterConsent,
  modeDirection,
  parseConsentInput,
} from './consent.rules';

/** Who made a change, for the audit trail. */
export interface ChangedBy {
  actor: Actor;
  requestId: string | null;
}

/**
 * What consent changes need from the recommender: background work queued in the consent's own
 * transaction (a fresh list under the new mode, or none at all when it is OFF), and dropping a
 * cached list at once. `refresh-requests.ts` and RecommendationStore (evict) provide it.
 */
export interface PersonalisationEffects {
  evict(customerIds: readonly string[]): Promise<void>;
  /** Queues, in the caller's transaction, a refresh of each customer. */
  refreshIn(db: SqlExecutor, customerIds: readonly string[]): Promise<void>;
  /** Queues, in the caller's transaction, the removal of each customer's cached suggestions. */
  forgetIn(db: SqlExecutor, customerIds: readonly string[]): Promise<void>;
}

/**
 * Runs inside the transaction that records a withdrawal, after the ledger row: what must stop
 * at the same moment (marketing suppresses the customer's waiting messages).
 */
export type WithdrawalHook = (
  tx: EntityManager,
  customerId: string,
  consent: ConsentInput,
) => Promise<unknown>;

/** What a recorded consent changed on the customer's row. */
export interface ConsentChange {
  customerId: string;
  modeBefore: RecommendationMode;
  modeAfter: RecommendationMode;
  historyChoiceBefore: HistoryChoice;
  historyChoiceAfter: HistoryChoice;
}

/**
 * The consent ledger. Rows are only ever appended (the database refuses UPDATE and DELETE);
 * the current state is the latest row per purpose and channel. `customer.recommendation_mode`
 * and `customer.history_choice` are kept in step in the same transaction as the row, because
 * the workers and the access rules read those columns rather than the ledger.
 *
 * Customers who predate the ledger keep their recommendation mode until they record a
 * PERSONALISATION or HISTORY_RETENTION consent; from then on it is derived (see
 * `modeAfterConsent`). No backfill is needed.
 */
export class ConsentService {
  private readonly withdrawalHooks: WithdrawalHook[] = [];

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly effects: PersonalisationEffects,
    private readonly log: Logger,
  ) {}

  /** Adds something that must happen in the same transaction as every withdrawal. */
  onWithdrawal(hook: WithdrawalHook): void {
    this.withdrawalHooks.push(hook);
  }

  /**
   * Appends a consent given or withdrawn, updates the derived columns, the audit trail and the
   * recommender's background work in one transaction, then drops the cached list at once when
   * the mode dropped.
   */
  async recordConsent(customerId: string, input: unknown, by: ChangedBy): Promise<ConsentChange> {
    const consent = parseConsentInput(input);
    const change = await this.ds.transaction(async (tx) => {
      const subject = await lockConsentSubject(tx, customerId);
      const result = await this.appendLocked(tx, subject, consent);
      await this.audit.record(
        by.actor,
        by.requestId,
        [
          {
            action: consent.granted ? 'consent.give' : 'consent.withdraw',
            targetType: 'customer',
            targetId: subject.id,
            customerId: subject.id,
            details: auditDetails(consent, result),
          },
        ],
        tx,
      );
      return result;
    });
    this.log.info({
      event: 'consent.recorded',
      customerId: change.customerId,
      purpose: consent.purpose,
      channel: consent.channel,
      granted: consent.granted,
      modeBefore: change.modeBefore,
      modeAfter: change.modeAfter,
    });
    await this.applyModeChange(change);
    return change;
  }

  /**
   * Appends a row for a customer whose row the caller has locked (`lockConsentSubject`) and
   * keeps the derived columns in step. For HISTORY_RETENTION, `historyChoice` sets the choice
   * explicitly; without it the choice follows the consent (`historyChoiceAfterConsent`).
   */
  async appendLocked(
    tx: EntityManager,
    subject: ConsentSubject,
    consent: ConsentInput,
    historyChoice?: HistoryChoice,
  ): Promise<ConsentChange> {
    await appendConsent(tx, subject.id, consent);
    if (!consent.granted) {
      for (const hook of this.withdrawalHooks) await hook(tx, subject.id, consent);
    }
    const current = currentConsents(await latestConsentRows(tx, [subject.id]));
    const modeAfter = modeAfterConsent(subject.mode, current, consent.purpose);
    const choiceAfter =
      consent.purpose === ConsentPurpose.HISTORY_RETENTION
        ? (historyChoice ?? historyChoiceAfterConsent(subject.historyChoice, consent.granted))
        : subject.historyChoice;
    if (modeAfter !== subject.mode || choiceAfter !== subject.historyChoice) {
      await updateConsentSubject(tx, subject.id, modeAfter, choiceAfter);
    }
    // Personalisation off: what they were shown is no longer linked to them either.
    if (modeAfter === RecommendationMode.OFF && subject.mode !== RecommendationMode.OFF) {
      await detachImpressions(tx, subject.id);
    }
    // The workers recompute under the new mode, or (OFF) drop what is cached; this commits with
    // the consent, so it happens even if Redis is down right now.
    if (modeAfter !== subject.mode) {
      if (modeAfter === RecommendationMode.OFF) await this.effects.forgetIn(tx, [subject.id]);
      else await this.effects.refreshIn(tx, [subject.id]);
    }
    return {
      customerId: subject.id,
      modeBefore: subject.mode,
      modeAfter,
      historyChoiceBefore: subject.historyChoice,
      historyChoiceAfter: choiceAfter,
    };
  }

  /**
   * Drops the cached list at once after a committed change that narrowed the mode. When Redis
   * is unreachable the change still stands: OFF is enforced from the column on every read, and
   * the job queued with the consent drops or rewrites the entry once Redis is back.
   */
  async applyModeChange(
    change: Pick<ConsentChange, 'customerId' | 'modeBefore' | 'modeAfter'>,
  ): Promise<void> {
    const direction = modeDirection(change.modeBefore, change.modeAfter);
    if (direction === 'DOWN') {
      try {
        await this.effects.evict([change.customerId]);
      } catch (err) {
        this.log.error({
          event: 'consent.cache_evict_failed',
          customerId: change.customerId,
          err: safeError(err),
        });
      }
    }
  }

  /** Where the customer stands on every purpose and channel. */
  async currentConsents(customerId: string): Promise<CurrentConsent[]> {
    const id = assertId(customerId, 'customerId');
    return (await this.currentConsentsOf([id])).get(id) ?? [];
  }

  /** Current consents of many customers in one statement (for loaders). */
  async currentConsentsOf(customerIds: readonly string[]): Promise<Map<string, CurrentConsent[]>> {
    const rows = await latestConsentRows(this.ds, customerIds);
    const byCustomer = new Map<string, typeof rows>(customerIds.map((id) => [id, []]));
    for (const r of rows) byCustomer.get(r.customerId)?.push(r);
    return new Map([...byCustomer].map(([id, entries]) => [id, currentConsents(entries)]));
  }

  /** Every consent the customer gave or withdrew, newest first. */
  consentHistory(customerId: string): Promise<ConsentRecord[]> {
    return consentRows(this.ds, assertId(customerId, 'customerId'));
  }
}

/** What the audit entry keeps: the consent and its effect, nothing about the person. */
export function auditDetails(
  consent: ConsentInput,
  change: ConsentChange,
): Record<string, unknown> {
  const { modeBefore, modeAfter, historyChoiceBefore, historyChoiceAfter } = change;
  return {
    purpose: consent.purpose,
    channel: consent.channel,
    granted: consent.granted,
    source: consent.source,
    wordingVersion: consent.wordingVersion,
    ...(modeAfter !== modeBefore ? { mode: { from: modeBefore, to: modeAfter } } : {}),
    ...(historyChoiceAfter !== historyChoiceBefore
      ? { historyChoice: { from: historyChoiceBefore, to: historyChoiceAfter } }
      : {}),
  };
}
