import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { assertId } from '../common/ids';
import { type Logger, safeError } from '../common/logger';
import type { ChangedBy } from '../consent/consent.service';
import { requestForgetIn } from '../recommendations/refresh-requests';
import {
  deleteDismissals,
  deleteInterests,
  detachAllActivity,
  lockForErasure,
  tombstone,
  unlinkWards,
} from './erasure.repository';
import { detachImpressions } from '../recommendations/impression.repository';
import { anonymiseNotifications } from '../marketing/privacy';
import { cancelPendingRefresh, waitUntilNotActive } from './refresh-jobs';

/** Where cached suggestions live; RecommendationStore provides it. */
export interface EvictableCache {
  evict(customerIds: readonly string[]): Promise<void>;
  /** False while Redis is known to be unreachable. */
  readonly available?: boolean;
}

export interface ErasureResult {
  customerId: string;
  /** The record was a tombstone already; erasing again changed nothing personal. */
  alreadyErased: boolean;
  activityDetached: number;
  interestsRemoved: number;
  dismissalsRemoved: number;
  /** Suggestions shown to them: still counted in the outcome report, no longer linked. */
  suggestionsShownDetached: number;
  wardsUnlinked: number;
  messagesAnonymised: number;
}

/** How long erasure waits for a refresh that was already running when it committed. */
export const RUNNING_REFRESH_WAIT_MS = 10_000;

/**
 * Erasure: the customer's row becomes a tombstone and nothing personal about them remains in
 * PostgreSQL or Redis. In one transaction it nulls every personal field, marks the row ERASED
 * (imports refuse to bring an ERASED row back), turns personalisation OFF, detaches all their
 * activity (statistics keep type, time, branch, item and age band), deletes their interests
 * and dismissals, detaches the suggestions shown to them, unlinks their wards, detaches their
 * campaign messages (unsent ones are suppressed; counts, opens and clicks stay, so campaign
 * results do not change), records `customer.erase` in the audit trail, and queues (through the
 * outbox) a job that removes their cached suggestions and any pending refresh. Consent rows
 * stay: they prove what was agreed, and hold nothing but the customer id. After committing it
 * also removes them from Redis at once; if Redis is unreachable the erasure still succeeds and
 * the queued job finishes the clean-up when Redis is back. Erasing an erased customer again is
 * harmless.
 */
export class ErasureService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly cache: EvictableCache,
    private readonly refreshQueue: Queue,
    private readonly log: Logger,
    private readonly runningRefreshWaitMs = RUNNING_REFRESH_WAIT_MS,
  ) {}

  async eraseCustomer(
    customerId: string,
    reason: string | null,
    by: ChangedBy,
  ): Promise<ErasureResult> {
    const id = assertId(customerId, 'customerId');
    const now = new Date();
    const result = await this.ds.transaction(async (tx): Promise<ErasureResult> => {
      const { erased } = await lockForErasure(tx, id);
      await tombstone(tx, id, now);
      // Before activity is detached: the messages keep when the person was next active.
      const messagesAnonymised = await anonymiseNotifications(tx, id, now);
      const counts = {
        messagesAnonymised,
        activityDetached: await detachAllActivity(tx, id, now),
        interestsRemoved: await deleteInterests(tx, id),
        dismissalsRemoved: await deleteDismissals(tx, id),
        suggestionsShownDetached: await detachImpressions(tx, id),
        wardsUnlinked: await unlinkWards(tx, id),
      };
      await this.audit.record(
        by.actor,
        by.requestId,
        [
          {
            action: 'customer.erase',
            targetType: 'customer',
            targetId: id,
            customerId: id,
            reason,
            details: { ...counts, alreadyErased: erased },
          },
        ],
        tx,
      );
      await requestForgetIn(tx, [id]);
      return { customerId: id, alreadyErased: erased, ...counts };
    });
    this.log.info({ event: 'privacy.erased', ...result });
    await this.clearSuggestions(id);
    return result;
  }

  /**
   * Drops the cached list and any pending refresh now, rather than when the queued clean-up
   * job runs. A refresh already running may have read the customer before the erasure
   * committed and write a list afterwards, so erasure waits for it (briefly) and evicts again.
   */
  private async clearSuggestions(customerId: string): Promise<void> {
    if (this.cache.available === false) {
      this.log.warn({ event: 'privacy.erase_cache_deferred', customerId });
      return;
    }
    try {
      await this.cache.evict([customerId]);
      const { runningJobId } = await cancelPendingRefresh(this.refreshQueue, customerId);
      if (runningJobId) {
        const stopped = await waitUntilNotActive(
          this.refreshQueue,
          runningJobId,
          this.runningRefreshWaitMs,
        );
        await this.cache.evict([customerId]);
        if (!stopped) {
          this.log.warn({
            event: 'privacy.erase_refresh_still_running',
            customerId,
            jobId: runningJobId,
          });
        }
      }
    } catch (err) {
      // The outbox job queued with the erasure finishes this when Redis is reachable again.
      this.log.warn({ event: 'privacy.erase_cache_deferred', customerId, err: safeError(err) });
    }
  }
}
