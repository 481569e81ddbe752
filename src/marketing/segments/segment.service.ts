import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, type FieldProblem, PG_UNIQUE_VIOLATION } from '../../common/errors';
import { assertId } from '../../common/ids';
import type { Logger } from '../../common/logger';
import { effectiveThreshold } from '../../insights/disclosure';
import { badInput } from '../campaigns/campaign.rules';
import { compileSegment } from './segment-compiler';
import {
  filterJson,
  parseSegmentFilter,
  referencedIds,
  type SegmentFilter,
} from './segment-filter';
import {
  campaignsWaitingOn,
  deleteSegmentRow,
  existingIds,
  findSegment,
  insertSegment,
  listSegments,
  previewCounts,
  type RawPreview,
  type SegmentRow,
  updateSegmentRow,
} from './segment.repository';

export interface SegmentPreviewResult {
  /** Customers in the segment; null when fewer than the threshold (zero included). */
  customers: number | null;
  channels: Array<{
    channel: RawPreview['channels'][number]['channel'];
    withAddress: number | null;
    marketingConsent: number | null;
    reachableForMarketing: number | null;
    reachableForServiceInformation: number | null;
  }>;
  threshold: number;
  evaluatedAt: Date;
}

/**
 * A count shown to marketing staff, or null below the threshold. Unlike the published reports
 * zero is hidden too: otherwise narrowing a one-person segment and seeing 0 or "fewer than 5"
 * would tell whether that person did the thing.
 */
export function discloseCount(n: number, threshold: number): number | null {
  return n >= threshold ? n : null;
}

const NAME_MAX = 200;
const DESCRIPTION_MAX = 2000;

/**
 * Saved segments and previews. A saved segment stores its filter, not its members: it is
 * evaluated afresh every time it is previewed and every time a campaign using it sends.
 */
export class SegmentService {
  constructor(
    private readonly ds: DataSource,
    private readonly options: { disclosureThreshold: number; log: Logger },
  ) {}

  list(): Promise<SegmentRow[]> {
    return listSegments(this.ds);
  }

  async get(id: string): Promise<SegmentRow> {
    const row = await findSegment(this.ds, assertId(id, 'id'));
    if (!row) throw DomainError.notFound('Segment', id);
    return row;
  }

  /** Validates a filter and checks every id it names exists. */
  async validFilter(input: unknown, field = 'filter', db: DataSource | EntityManager = this.ds) {
    const filter = parseSegmentFilter(input, field);
    const refs = referencedIds(filter);
    const problems: FieldProblem[] = [];
    const check = async (table: 'branch' | 'interest' | 'event', ids: Set<string>) => {
      const found = await existingIds(db, table, [...ids]);
      const missing = [...ids].filter((id) => !found.has(id));
      if (missing.length) {
        problems.push({
          field,
          rule: 'unknown_id',
          message: `no ${table} with id ${missing.join(', ')}`,
        });
      }
    };
    await check('branch', refs.branches);
    await check('interest', refs.interests);
    await check('event', refs.events);
    if (problems.length) throw badInput(problems);
    return filter;
  }

  async create(
    input: { name: string; description?: string | null; filter: unknown },
    createdBy: string,
  ): Promise<SegmentRow> {
    const { name, description } = checkNaming(input.name, input.description ?? null);
    const filter = await this.validFilter(input.filter, 'input.filter');
    return this.unique(() =>
      insertSegment(this.ds, { name, description, filter: filterJson(filter), createdBy }),
    );
  }

  async update(
    id: string,
    input: { name?: string | null; description?: string | null; filter?: unknown },
  ): Promise<SegmentRow> {
    const current = await this.get(id);
    const { name, description } = checkNaming(
      input.name ?? current.name,
      input.description === undefined ? current.description : input.description,
    );
    const filter =
      input.filter == null
        ? current.filter
        : filterJson(await this.validFilter(input.filter, 'input.filter'));
    const row = await this.unique(() =>
      updateSegmentRow(this.ds, current.id, { name, description, filter }),
    );
    if (!row) throw DomainError.notFound('Segment', id);
    return row;
  }

  /**
   * Deletes a saved segment. Refused while a draft or scheduled campaign still needs it;
   * campaigns that already sent keep the filter they used.
   */
  async delete(id: string): Promise<boolean> {
    const segment = await this.get(id);
    return this.ds.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM segment WHERE id = $1 FOR UPDATE', [segment.id]);
      const waiting = await campaignsWaitingOn(tx, segment.id);
      if (waiting.length) {
        throw DomainError.conflict(
          `Segment ${segment.id} is used by campaign(s) not yet sent: ${waiting.join(', ')}`,
          'id',
        );
      }
      return deleteSegmentRow(tx, segment.id);
    });
  }

  /** The filter a campaign or preview uses: a saved segment's, or the one given. */
  async filterOf(args: { segmentId?: string | null; filter?: unknown }): Promise<SegmentFilter> {
    if ((args.segmentId == null) === (args.filter == null)) {
      throw DomainError.badInput(
        'segmentId',
        'audience',
        'give either segmentId (a saved segment) or filter (an inline one)',
      );
    }
    if (args.segmentId != null) {
      return parseSegmentFilter((await this.get(args.segmentId)).filter, 'segment.filter');
    }
    return this.validFilter(args.filter);
  }

  /** Counts for a filter at `now`, with small counts withheld. */
  async preview(
    args: { segmentId?: string | null; filter?: unknown; threshold?: number | null },
    now = new Date(),
  ): Promise<SegmentPreviewResult> {
    const threshold = effectiveThreshold(this.options.disclosureThreshold, args.threshold);
    const filter = await this.filterOf(args);
    const started = Date.now();
    const raw = await previewCounts(this.ds, compileSegment(filter, { now }));
    this.options.log.info({ event: 'segment.previewed', ms: Date.now() - started });
    return {
      customers: discloseCount(raw.customers, threshold),
      channels: raw.channels.map((c) => ({
        channel: c.channel,
        withAddress: discloseCount(c.withAddress, threshold),
        marketingConsent: discloseCount(c.marketingConsent, threshold),
        reachableForMarketing: discloseCount(c.reachableForMarketing, threshold),
        reachableForServiceInformation: discloseCount(c.reachableForServiceInformation, threshold),
      })),
      threshold,
      evaluatedAt: now,
    };
  }

  private async unique<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if ((err as { code?: string }).code === PG_UNIQUE_VIOLATION) {
        throw DomainError.conflict('A segment with this name already exists', 'input.name');
      }
      throw err;
    }
  }
}

function checkNaming(
  name: string,
  description: string | null,
): { name: string; description: string | null } {
  const problems: FieldProblem[] = [];
  const n = (name ?? '').trim();
  if (!n) problems.push({ field: 'input.name', rule: 'required', message: 'must not be empty' });
  if (n.length > NAME_MAX) {
    problems.push({
      field: 'input.name',
      rule: 'too_long',
      message: `must be at most ${NAME_MAX} characters`,
    });
  }
  const d = description?.trim() || null;
  if (d && d.length > DESCRIPTION_MAX) {
    problems.push({
      field: 'input.description',
      rule: 'too_long',
      message: `must be at most ${DESCRIPTION_MAX} characters`,
    });
  }
  if (problems.length) throw badInput(problems);
  return { name: n, description: d };
}
