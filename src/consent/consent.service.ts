import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/role';
import { assertId } from '../common/ids';
import { type Logger, safeError } from '../common/logger';
import { RecommendationMode } from '../recommendations/recommendation.enums';
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
 * What consent changes need from the recommender: drop a cached list at once, and ask for a
 * fresh one. RecommendationStore (evict) and RecommendationService (requestRefresh) provide it.
 */
export interface PersonalisationEffects {
  evict(customerIds: readonly string[]): Promise<void>;
  requestRefresh(customerIds: readonly string[]): void;
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
   * Appends a consent given or withdrawn, updates the derived columns and the audit trail in
   * one transaction, then applies the change to the recommender: a mode that drops loses its
   * cached list at once; a mode that rises is refreshed.
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
    return {
      customerId: subject.id,
      modeBefore: subject.mode,
      modeAfter,
      historyChoiceBefore: subject.historyChoice,
      historyChoiceAfter: choiceAfter,
    };
  }

  /**
   * Makes a committed mode change visible to the recommender. When the eviction fails the
   * change still stands (OFF is enforced from the column on every read); a refresh is asked
   * for so the workers overwrite the entry under the new mode.
   */
  async applyModeChange(
    change: Pick<ConsentChange, 'customerId' | 'modeBefore' | 'modeAfter'>,
  ): Promise<void> {
    const direction = modeDirection(change.modeBefore, change.modeAfter);
    if (direction === 'SAME') return;
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
    if (change.modeAfter !== RecommendationMode.OFF) {
      this.effects.requestRefresh([change.customerId]);
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
