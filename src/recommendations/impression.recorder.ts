import type { DataSource } from 'typeorm';
import { type Logger, safeError } from '../common/logger';
import { type Impression, upsertImpressions } from './impression.repository';
import type { SuggestionList } from './recommendation.service';

export interface ImpressionRecorderOptions {
  /** How often buffered impressions are written. */
  flushIntervalMs?: number;
  /** Write at once when this many distinct customer-title pairs are waiting. */
  maxBuffered?: number;
  /** A pair written this recently is not written again (page reloads cost nothing). */
  quietMs?: number;
  /** Most pairs remembered as recently written; the oldest are forgotten first. */
  maxRemembered?: number;
}

/**
 * Pure: folds newly shown suggestions into the buffer, skipping pairs written within `quietMs`
 * and keeping the first time and best rank of a pair shown several times before a flush.
 */
export function foldImpressions(
  buffer: Map<string, Impression>,
  recent: ReadonlyMap<string, number>,
  shown: readonly Impression[],
  quietMs: number,
): void {
  for (const s of shown) {
    const key = `${s.customerId}:${s.itemId}`;
    const writtenAt = recent.get(key);
    if (writtenAt !== undefined && s.shownAt.getTime() - writtenAt < quietMs) continue;
    const had = buffer.get(key);
    if (!had) buffer.set(key, { ...s });
    else {
      had.shows += s.shows;
      had.rank = Math.min(had.rank, s.rank);
    }
  }
}

/**
 * Pure: the impressions a served list makes. Generic lists (personalisation off) are not
 * remembered at all: nothing is stored about a customer who chose that.
 */
export function impressionsOf(
  customer: { id: string; homeBranchId: string | null },
  list: Pick<SuggestionList, 'items' | 'source'>,
  shownAt: Date,
): Impression[] {
  if (list.source === 'GENERIC') return [];
  return list.items.map((s, i) => ({
    customerId: customer.id,
    itemId: s.itemId,
    source: list.source === 'PERSONAL' ? 'PERSONAL' : 'POPULAR_FALLBACK',
    branchId: customer.homeBranchId,
    rank: i + 1,
    shownAt,
    shows: 1,
  }));
}

/**
 * Remembers which suggestions were shown to whom, off the request path: `record` only adds to
 * an in-memory buffer, and a timer writes the buffer in one statement every couple of seconds.
 * This is analytics, not the ledger: if the process dies, the last couple of seconds of
 * impressions are lost, which the click-through and borrow-through rates can bear.
 */
export class ImpressionRecorder {
  private buffer = new Map<string, Impression>();
  private readonly recent = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly opts: Required<ImpressionRecorderOptions>;
  private closed = false;

  constructor(
    private readonly ds: DataSource,
    private readonly log: Logger,
    opts: ImpressionRecorderOptions = {},
  ) {
    this.opts = {
      flushIntervalMs: opts.flushIntervalMs ?? 2_000,
      maxBuffered: opts.maxBuffered ?? 2_000,
      quietMs: opts.quietMs ?? 10 * 60_000,
      maxRemembered: opts.maxRemembered ?? 100_000,
    };
    this.timer = setInterval(() => void this.flush(), this.opts.flushIntervalMs);
    this.timer.unref();
  }

  record(shown: readonly Impression[]): void {
    if (this.closed || !shown.length) return;
    foldImpressions(this.buffer, this.recent, shown, this.opts.quietMs);
    if (this.buffer.size >= this.opts.maxBuffered) void this.flush();
  }

  /** Writes what is buffered; resolves once it is in PostgreSQL (or the write failed). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    if (!this.buffer.size) return;
    const batch = [...this.buffer.values()];
    this.buffer = new Map();
    try {
      await upsertImpressions(this.ds, batch);
      const now = Date.now();
      for (const i of batch) {
        const key = `${i.customerId}:${i.itemId}`;
        this.recent.delete(key);
        this.recent.set(key, now);
      }
      // Maps iterate in insertion order, so the first keys are the longest ago written.
      for (const key of this.recent.keys()) {
        if (this.recent.size <= this.opts.maxRemembered) break;
        this.recent.delete(key);
      }
    } catch (err) {
      this.log.warn({
        event: 'recommendations.impressions_not_written',
        count: batch.length,
        err: safeError(err),
      });
    }
  }
}
