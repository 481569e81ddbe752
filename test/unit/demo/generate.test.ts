import { createHash } from 'node:crypto';
import { ActivityType, Channel } from '../../../src/activity/activity.enums';
import { BranchKind } from '../../../src/branches/branch.enums';
import { Audience, ItemFormat } from '../../../src/catalogue/catalogue.enums';
import {
  AccessibilityNeed,
  CustomerKind,
  CustomerStatus,
} from '../../../src/customers/customer.enums';
import {
  DEFAULT_DEMO_OPTIONS,
  DemoOptionsError,
  EVENT_TYPE_PREFIX,
  generateDemoLibrary,
  isbn13CheckDigit,
  resolveDemoOptions,
  type ActivityRow,
  type DemoLibrary,
  type DemoOptions,
} from '../../../src/demo/generate';

const REFERENCE = new Date('2025-06-15T00:00:00.000Z');
const SMALL: Partial<DemoOptions> = {
  seed: 42,
  customers: 800,
  items: 1_000,
  events: 80,
  activities: 40_000,
  referenceDate: REFERENCE,
};
const TWO_YEARS_MS = 731 * 24 * 60 * 60 * 1000;

/**
 * Rows for which `problem` returns a message; asserting on the first few keeps a 40,000-row check
 * fast and its failure readable.
 */
function problems<T>(rows: readonly T[], problem: (row: T) => string | undefined): string[] {
  const found: string[] = [];
  for (const row of rows) {
    const message = problem(row);
    if (message !== undefined) found.push(message);
    if (found.length === 5) break;
  }
  return found;
}

/** A digest of every table and the whole ledger: equal digests mean identical output. */
function digest(library: DemoLibrary): string {
  const hash = createHash('sha256');
  for (const table of [library.branches, library.items, library.customers, library.interests]) {
    hash.update(JSON.stringify(table));
  }
  hash.update(JSON.stringify(library.events));
  for (const row of library.activities()) hash.update(JSON.stringify(row));
  return hash.digest('hex');
}

describe('generateDemoLibrary', () => {
  let library: DemoLibrary;
  let activity: ActivityRow[];

  beforeAll(() => {
    library = generateDemoLibrary(SMALL);
    activity = [...library.activities()];
  });

  const byId = <T extends { externalId: string }>(rows: readonly T[]) =>
    new Map(rows.map((row) => [row.externalId, row]));
  const isMinor = (birthYear: number | undefined) =>
    birthYear !== undefined && REFERENCE.getUTCFullYear() - birthYear < 18;

  describe('sizes and coverage', () => {
    it('produces exactly the requested number of rows', () => {
      expect(library.branches).toHaveLength(DEFAULT_DEMO_OPTIONS.branches);
      expect(library.customers).toHaveLength(800);
      expect(library.items).toHaveLength(1_000);
      expect(library.events).toHaveLength(80);
      expect(activity).toHaveLength(40_000);
    });

    it('has every branch kind, one central library and one online service', () => {
      const kinds = library.branches.map((branch) => branch.kind);
      expect(new Set(kinds)).toEqual(new Set(Object.values(BranchKind)));
      expect(kinds.filter((kind) => kind === BranchKind.BUILDING).length).toBeGreaterThan(3);
      expect(kinds.filter((kind) => kind === BranchKind.ONLINE)).toHaveLength(1);
      expect(library.branches.filter((branch) => /Central/.test(branch.name))).toHaveLength(1);
    });

    it('has every customer kind, format and audience', () => {
      expect(new Set(library.customers.map((c) => c.kind))).toEqual(
        new Set(Object.values(CustomerKind)),
      );
      expect(new Set(library.items.map((i) => i.format))).toEqual(
        new Set(Object.values(ItemFormat)),
      );
      expect(new Set(library.items.map((i) => i.audience))).toEqual(
        new Set(Object.values(Audience)),
      );
    });

    it('has every activity type except CORRECTION, over every channel', () => {
      const types = new Set(activity.map((row) => row.type));
      const expected = Object.values(ActivityType).filter((t) => t !== ActivityType.CORRECTION);
      expect(types).toEqual(new Set(expected));
      expect(new Set(activity.map((row) => row.channel))).toEqual(new Set(Object.values(Channel)));
    });

    it('keeps most stock in English with some other languages and a new-arrivals tail', () => {
      const english = library.items.filter((item) => item.language === 'en').length;
      expect(english / library.items.length).toBeGreaterThan(0.85);
      expect(new Set(library.items.map((item) => item.language)).size).toBeGreaterThan(3);
      const recent = REFERENCE.getTime() - 60 * 24 * 60 * 60 * 1000;
      const tail = library.items.slice(-20);
      expect(tail.every((item) => Date.parse(item.addedAt) >= recent)).toBe(true);
      expect(library.items.some((item) => item.series)).toBe(true);
    });

    it('gives books ISBN-13s with valid check digits, and no two titles the same ISBN', () => {
      const isbns = library.items.filter((item) => item.isbn).map((item) => item.isbn!);
      expect(library.items.filter((i) => i.format === ItemFormat.BOOK).every((i) => i.isbn)).toBe(
        true,
      );
      for (const isbn of isbns) {
        expect(isbn).toMatch(/^97[89]\d{10}$/);
        expect(Number(isbn[12])).toBe(isbn13CheckDigit(isbn.slice(0, 12)));
      }
      expect(new Set(isbns).size).toBe(isbns.length);
    });
  });

  describe('customers', () => {
    it('lists every guardian before their ward, and gives every minor a guardian', () => {
      const position = new Map(library.customers.map((c, index) => [c.externalId, index]));
      const customers = byId(library.customers);
      const wards = library.customers.filter((c) => c.guardian);
      expect(wards.length).toBeGreaterThan(10);
      for (const ward of wards) {
        expect(position.get(ward.guardian!)).toBeLessThan(position.get(ward.externalId)!);
        expect(isMinor(customers.get(ward.guardian!)!.birthYear)).toBe(false);
      }
      for (const minor of library.customers.filter((c) => isMinor(c.birthYear))) {
        expect(minor.guardian).toBeDefined();
      }
    });

    it('leaves many customers anonymous and identifies PC users by a pseudonym', () => {
      const anonymous = library.customers.filter(
        (c) => Object.values(c).filter((v) => v !== undefined && !Array.isArray(v)).length === 2,
      );
      expect(anonymous.length / library.customers.length).toBeGreaterThan(0.15);
      const pcUsers = library.customers.filter((c) => c.kind === CustomerKind.PC_USER);
      expect(pcUsers.every((c) => c.externalId.startsWith('PC-') && !c.firstName)).toBe(true);
      expect(new Set(library.customers.map((c) => c.externalId)).size).toBe(800);
    });

    it('uses reserved email domains, UK-style postcodes and no erased customers', () => {
      for (const customer of library.customers) {
        if (customer.email) expect(customer.email).toMatch(/@example\.(org|com)$/);
        if (customer.postcode) expect(customer.postcode).toMatch(/^[A-Z]{2}\d{1,2} \d[A-Z]{2}$/);
      }
      const statuses = new Set(library.customers.map((c) => c.status));
      expect(statuses).toEqual(
        new Set([undefined, CustomerStatus.ACTIVE, CustomerStatus.LAPSED, CustomerStatus.BLOCKED]),
      );
      const active = library.customers.filter((c) => c.status === CustomerStatus.ACTIVE).length;
      const registered = library.customers.filter((c) => c.status).length;
      expect(active / registered).toBeGreaterThan(0.75);
    });

    it('records accessibility needs, with home delivery customers served by outreach', () => {
      const needs = library.customers.flatMap((c) => c.accessibilityNeeds);
      expect(needs.length).toBeGreaterThan(0);
      needs.forEach((need) => expect(Object.values(AccessibilityNeed)).toContain(need));
      const outreach = library.branches.find((b) => b.kind === BranchKind.OUTREACH)!;
      const delivered = library.customers.filter((c) =>
        c.accessibilityNeeds.includes(AccessibilityNeed.HOME_DELIVERY),
      );
      expect(delivered.length).toBeGreaterThan(0);
      expect(delivered.every((c) => c.homeBranch === outreach.externalId)).toBe(true);
    });
  });

  describe('consents', () => {
    it('asks registered customers and guardians, never children about marketing', () => {
      const customers = byId(library.customers);
      const children = new Set(
        library.customers.filter((c) => c.guardian).map((c) => c.externalId),
      );
      expect(library.consents.length).toBeGreaterThan(library.customers.length / 2);
      const wrong = problems(library.consents, (c) => {
        const who = customers.get(c.customerExternalId);
        if (!who) return `unknown ${c.customerExternalId}`;
        if (!who.email && !who.phone && !who.guardian) return `${c.customerExternalId} never asked`;
        if (children.has(c.customerExternalId) && c.purpose === 'MARKETING')
          return 'child marketing';
        const channelled = c.purpose === 'MARKETING' || c.purpose === 'SERVICE_MESSAGES';
        return channelled === (c.channel !== undefined) ? undefined : `${c.purpose} channel`;
      });
      expect(wrong).toEqual([]);
    });

    it('gives every mode of personalisation and both answers on marketing', () => {
      const answers = (purpose: string) =>
        new Set(library.consents.filter((c) => c.purpose === purpose).map((c) => c.granted));
      expect(answers('PERSONALISATION')).toEqual(new Set([true, false]));
      expect(answers('HISTORY_RETENTION')).toEqual(new Set([true, false]));
      expect(answers('MARKETING')).toEqual(new Set([true, false]));
    });
  });

  describe('interests and events', () => {
    it('declares interests whose values are labels used on items or events', () => {
      const itemLabels = {
        subject: new Set(library.items.flatMap((i) => i.subjects)),
        genre: new Set(library.items.flatMap((i) => i.genres)),
        author: new Set(library.items.flatMap((i) => i.authors)),
        format: new Set(library.items.map((i) => i.format as string)),
        language: new Set(library.items.map((i) => i.language)),
        event_type: new Set(library.events.map((e) => e.topics[0].slice(EVENT_TYPE_PREFIX.length))),
      };
      const customers = byId(library.customers);
      expect(new Set(library.interests.map((i) => i.kind))).toEqual(
        new Set(Object.keys(itemLabels)),
      );
      const unknown = problems(library.interests, (interest) =>
        customers.has(interest.customerExternalId) && itemLabels[interest.kind].has(interest.value)
          ? undefined
          : `${interest.kind} ${interest.value}`,
      );
      expect(unknown).toEqual([]);
    });

    it('schedules past and upcoming events whose topics start with their event type', () => {
      const now = REFERENCE.getTime();
      const starts = library.events.map((event) => Date.parse(event.startsAt));
      expect(starts.some((start) => start < now)).toBe(true);
      expect(starts.some((start) => start > now)).toBe(true);
      for (const event of library.events) {
        expect(event.topics[0].startsWith(EVENT_TYPE_PREFIX)).toBe(true);
        expect(Date.parse(event.endsAt)).toBeGreaterThan(Date.parse(event.startsAt));
      }
    });
  });

  describe('activity ledger', () => {
    it('references only customers, items, events and branches that exist', () => {
      const customers = byId(library.customers);
      const items = byId(library.items);
      const events = byId(library.events);
      const branches = byId(library.branches);
      const dangling = problems(activity, (row) => {
        if (!customers.has(row.customerExternalId)) return `customer of ${row.sourceKey}`;
        if (row.itemExternalId && !items.has(row.itemExternalId)) return `item of ${row.sourceKey}`;
        if (row.eventExternalId && !events.has(row.eventExternalId)) {
          return `event of ${row.sourceKey}`;
        }
        return branches.has(row.branch!) ? undefined : `branch of ${row.sourceKey}`;
      });
      expect(dangling).toEqual([]);
    });

    it('uses unique source keys', () => {
      expect(new Set(activity.map((row) => row.sourceKey)).size).toBe(activity.length);
    });

    it('never dates activity before registration, after the reference date, or long ago', () => {
      const customers = byId(library.customers);
      const now = REFERENCE.getTime();
      const misdated = problems(activity, (row) => {
        const at = Date.parse(row.occurredAt);
        const registered = customers.get(row.customerExternalId)!.registeredAt;
        const tooEarly = registered !== undefined && at < Date.parse(registered);
        const wellFormed = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(row.occurredAt);
        const inWindow = at <= now && at >= now - TWO_YEARS_MS;
        const fine = wellFormed && inWindow && !tooEarly;
        return fine ? undefined : `${row.sourceKey} ${row.occurredAt}`;
      });
      expect(misdated).toEqual([]);
    });

    it('never lends adult stock to children', () => {
      const customers = byId(library.customers);
      const items = byId(library.items);
      const childRows = activity.filter(
        (row) => row.itemExternalId && isMinor(customers.get(row.customerExternalId)!.birthYear),
      );
      expect(childRows.length).toBeGreaterThan(100);
      const adultStock = problems(childRows, (row) =>
        items.get(row.itemExternalId!)!.audience === Audience.ADULT ? row.sourceKey : undefined,
      );
      expect(adultStock).toEqual([]);
    });

    it('names an item, event, rating, minutes or search terms where the type needs one', () => {
      const itemTypes = new Set([
        ActivityType.LOAN,
        ActivityType.RETURN,
        ActivityType.RENEWAL,
        ActivityType.HOLD_PLACED,
        ActivityType.HOLD_COLLECTED,
        ActivityType.CATALOGUE_VIEW,
        ActivityType.RATING,
        ActivityType.DOWNLOAD,
        ActivityType.RECOMMENDATION_CLICK,
      ]);
      const misshapen = problems(activity, (row) => {
        const aboutEvent =
          row.type === ActivityType.EVENT_BOOKED || row.type === ActivityType.EVENT_ATTENDED;
        const fits =
          Boolean(row.itemExternalId) === itemTypes.has(row.type) &&
          Boolean(row.eventExternalId) === aboutEvent &&
          (row.rating !== undefined) === (row.type === ActivityType.RATING) &&
          (row.sessionMinutes !== undefined) === (row.type === ActivityType.PC_SESSION) &&
          (row.searchTerms !== undefined) === (row.type === ActivityType.SEARCH) &&
          (row.rating === undefined || [1, 2, 3, 4, 5].includes(row.rating));
        return fits ? undefined : JSON.stringify(row);
      });
      expect(misshapen).toEqual([]);
    });

    it('follows most loans with a return, after the loan', () => {
      const loans = new Map<string, number>();
      let returned = 0;
      let early = 0;
      for (const row of activity) {
        const key = `${row.customerExternalId}/${row.itemExternalId}`;
        if (row.type === ActivityType.LOAN) loans.set(key, Date.parse(row.occurredAt));
        if (row.type === ActivityType.RETURN && loans.has(key)) {
          returned++;
          if (Date.parse(row.occurredAt) <= loans.get(key)!) early++;
        }
      }
      expect(early).toBe(0);
      const loanCount = activity.filter((row) => row.type === ActivityType.LOAN).length;
      expect(returned / loanCount).toBeGreaterThan(0.8);
    });

    it('records attendance only for finished events, and bookings before the start', () => {
      const events = byId(library.events);
      const eventRows = activity.filter((row) => row.eventExternalId);
      expect(eventRows.length).toBeGreaterThan(100);
      const untimely = problems(eventRows, (row) => {
        const event = events.get(row.eventExternalId!)!;
        const timely =
          row.type === ActivityType.EVENT_ATTENDED
            ? Date.parse(event.endsAt) <= REFERENCE.getTime()
            : Date.parse(row.occurredAt) < Date.parse(event.startsAt);
        return timely && row.branch === event.branch ? undefined : row.sourceKey;
      });
      expect(untimely).toEqual([]);
    });

    it('fits activity to the kind of customer', () => {
      const customers = byId(library.customers);
      const typesOf = (kind: CustomerKind) =>
        new Set(
          activity
            .filter((row) => customers.get(row.customerExternalId)!.kind === kind)
            .map((row) => row.type),
        );
      expect(typesOf(CustomerKind.VISITOR)).toEqual(
        new Set([ActivityType.VISIT, ActivityType.ENQUIRY]),
      );
      expect([...typesOf(CustomerKind.PC_USER)]).toContain(ActivityType.PC_SESSION);
      expect([...typesOf(CustomerKind.PC_USER)]).not.toContain(ActivityType.LOAN);
      expect([...typesOf(CustomerKind.ONLINE_USER)]).not.toContain(ActivityType.LOAN);
      expect([...typesOf(CustomerKind.MEMBER)]).not.toContain(ActivityType.LOAN);
      const online = library.branches.find((b) => b.kind === BranchKind.ONLINE)!.externalId;
      const downloads = activity.filter((row) => row.type === ActivityType.DOWNLOAD);
      expect(downloads.every((row) => row.branch === online)).toBe(true);
    });

    it('borrows mostly at the home branch', () => {
      const customers = byId(library.customers);
      const loans = activity.filter((row) => row.type === ActivityType.LOAN);
      const atHome = loans.filter(
        (row) => row.branch === customers.get(row.customerExternalId)!.homeBranch,
      );
      expect(atHome.length / loans.length).toBeGreaterThan(0.6);
    });

    it('rates titles in a customer\u2019s declared genres and subjects higher than others', () => {
      const items = byId(library.items);
      const declared = new Map<string, Set<string>>();
      for (const interest of library.interests) {
        const labels = declared.get(interest.customerExternalId) ?? new Set<string>();
        labels.add(interest.value);
        declared.set(interest.customerExternalId, labels);
      }
      const matched: number[] = [];
      const other: number[] = [];
      for (const row of activity.filter((r) => r.type === ActivityType.RATING)) {
        const labels = declared.get(row.customerExternalId);
        if (!labels) continue;
        const item = items.get(row.itemExternalId!)!;
        const fits = [...item.genres, ...item.subjects].some((label) => labels.has(label));
        (fits ? matched : other).push(row.rating!);
      }
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      expect(matched.length).toBeGreaterThan(20);
      expect(mean(matched)).toBeGreaterThan(mean(other) + 0.3);
    });

    it('concentrates loans on popular titles (a long tail)', () => {
      const counts = new Map<string, number>();
      for (const row of activity.filter((r) => r.type === ActivityType.LOAN)) {
        counts.set(row.itemExternalId!, (counts.get(row.itemExternalId!) ?? 0) + 1);
      }
      const sorted = [...counts.values()].sort((a, b) => b - a);
      const total = sorted.reduce((a, b) => a + b, 0);
      const topTenth = sorted.slice(0, Math.ceil(sorted.length / 10)).reduce((a, b) => a + b, 0);
      expect(topTenth / total).toBeGreaterThan(0.3);
    });
  });

  describe('determinism and laziness', () => {
    it('gives identical output for the same seed and different output for another', () => {
      const options = { ...SMALL, customers: 300, items: 400, activities: 8_000 };
      const first = digest(generateDemoLibrary(options));
      expect(digest(generateDemoLibrary(options))).toBe(first);
      expect(digest(generateDemoLibrary({ ...options, seed: 43 }))).not.toBe(first);
    });

    it('yields the same ledger on every pass over activities()', () => {
      expect(JSON.stringify([...library.activities()])).toBe(JSON.stringify(activity));
    });

    it('produces activity rows lazily, without building the whole ledger', () => {
      const huge = generateDemoLibrary({ ...SMALL, activities: 500_000_000 });
      const first: ActivityRow[] = [];
      for (const row of huge.activities()) {
        first.push(row);
        if (first.length === 100) break;
      }
      expect(first[0].sourceKey).toBe('demo-1');
      expect(first).toHaveLength(100);
    });
  });
});

describe('resolveDemoOptions', () => {
  it('fills the defaults of the demo library', () => {
    expect(resolveDemoOptions()).toEqual({ ...DEFAULT_DEMO_OPTIONS });
    expect(resolveDemoOptions({ customers: undefined }).customers).toBe(4_000);
  });

  it.each([
    [{ branches: 3 }, 'branches'],
    [{ items: -1 }, 'items'],
    [{ activities: 1.5 }, 'activities'],
    [{ seed: Number.NaN }, 'seed'],
    [{ referenceDate: new Date('not a date') }, 'referenceDate'],
    [{ customers: 0, activities: 10 }, 'activities'],
  ] as const)('rejects %j naming %s', (options, option) => {
    expect(() => resolveDemoOptions(options)).toThrow(DemoOptionsError);
    try {
      resolveDemoOptions(options);
    } catch (error) {
      expect((error as DemoOptionsError).option).toBe(option);
    }
  });

  it('allows an empty library', () => {
    const empty = generateDemoLibrary({ customers: 0, items: 0, events: 0, activities: 0 });
    expect(empty.customers).toHaveLength(0);
    expect([...empty.activities()]).toHaveLength(0);
  });
});
