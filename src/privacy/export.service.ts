import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { DomainError, ErrorCode } from '../common/errors';
import { assertId } from '../common/ids';
import { type Logger, safeError } from '../common/logger';
import { consentRows, latestConsentRows } from '../consent/consent.repository';
import { currentConsents } from '../consent/consent.rules';
import type { ChangedBy } from '../consent/consent.service';
import { messagesOf, segmentsMatching } from '../marketing/privacy';
import type { CachedRecommendations } from '../recommendations/recommendation.store';
import {
  activityRows,
  customerRow,
  dismissalRows,
  interestRows,
  itemTitles,
  wardRows,
} from './export.repository';
import { impressionRows } from '../recommendations/impression.repository';

/** Names the document's layout, so a reader can tell which sections to expect. */
export const EXPORT_FORMAT = 'commonplace.subject-access/1';

/** Audit entries included; far above what any one customer accumulates. */
export const EXPORT_AUDIT_LIMIT = 100_000;

/** Where cached suggestions are read from; RecommendationStore provides it. */
export interface SuggestionCache {
  get(customerId: string): Promise<CachedRecommendations | null>;
}

/** `first_name` → `firstName`, so every section of the document is spelt the same way. */
export function camelKeys(row: Record<string, unknown>): Record<string, unknown> {
  const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [camel(k), v]));
}

/**
 * Subject access: one JSON document with everything held about a person — their record (every
 * column, birth year included), interests, consents now and over time, activity still linked
 * to them with what it refers to, dismissals, cached suggestions and the mode they were
 * computed under, the suggestions recently shown to them, wards, the messages campaigns sent
 * them or held back (with opens and clicks), the saved segments they match now, and the audit
 * entries about them. Activity already anonymised is no longer theirs and is not included.
 */
export class ExportService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly cache: SuggestionCache,
    private readonly log: Logger,
  ) {}

  /**
   * Builds the document. The export is recorded (`customer.export`) before anything is read:
   * when the entry cannot be written, nothing is exported. The database sections are read in
   * one snapshot, so they agree with each other.
   */
  async exportFor(
    customerId: string,
    by: ChangedBy,
    reason: string | null,
  ): Promise<Record<string, unknown>> {
    const id = assertId(customerId, 'customerId');
    const generatedAt = new Date();
    const [exists] = await this.ds.query('SELECT 1 FROM customer WHERE id = $1', [id]);
    if (!exists) throw DomainError.notFound('Customer', id);
    await this.audit.record(by.actor, by.requestId, [
      { action: 'customer.export', targetType: 'customer', targetId: id, customerId: id, reason },
    ]);
    const sections = await this.ds.transaction('REPEATABLE READ', async (tx) => {
      const customer = await customerRow(tx, id);
      if (!customer) throw DomainError.notFound('Customer', id);
      return {
        customer: camelKeys(customer),
        interests: await interestRows(tx, id),
        latest: await latestConsentRows(tx, [id]),
        history: await consentRows(tx, id),
        activity: await activityRows(tx, id),
        dismissals: await dismissalRows(tx, id),
        shown: await impressionRows(tx, id),
        wards: await wardRows(tx, id),
        messages: await messagesOf(tx, id),
        segments: await segmentsMatching(tx, id, generatedAt),
      };
    });
    const cached = await this.cachedSuggestions(id);
    const titles = cached
      ? await itemTitles(
          this.ds.manager,
          cached.items.map((s) => s.itemId),
        )
      : new Map<string, string>();
    const audit = await this.audit.about(id, EXPORT_AUDIT_LIMIT);
    this.log.info({
      event: 'privacy.exported',
      customerId: id,
      activity: sections.activity.length,
    });
    return {
      format: EXPORT_FORMAT,
      generatedAt: generatedAt.toISOString(),
      customerId: id,
      customer: sections.customer,
      interests: sections.interests,
      consents: {
        current: currentConsents(sections.latest),
        history: sections.history,
      },
      activity: sections.activity,
      dismissals: sections.dismissals,
      recommendations: {
        mode: sections.customer.recommendationMode,
        // Suggestions shown to them in the last weeks, and whether they opened or borrowed them.
        shown: sections.shown,
        cached: cached
          ? {
              ...cached,
              items: cached.items.map((s) => ({ ...s, title: titles.get(s.itemId) ?? null })),
            }
          : null,
      },
      wards: sections.wards,
      messages: sections.messages,
      segments: sections.segments,
      audit,
    };
  }

  /** The cached list; an export that silently left it out would be incomplete, so it fails. */
  private async cachedSuggestions(customerId: string): Promise<CachedRecommendations | null> {
    try {
      return await this.cache.get(customerId);
    } catch (err) {
      this.log.error({
        event: 'privacy.export_cache_unavailable',
        customerId,
        err: safeError(err),
      });
      throw new DomainError(
        ErrorCode.UNAVAILABLE,
        'Cached suggestions could not be read, so the export would be incomplete; ' +
          'try again shortly',
      );
    }
  }
}
