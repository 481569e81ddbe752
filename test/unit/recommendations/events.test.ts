import { ActivityType } from '../../../src/activity/activity.enums';
import { Audience } from '../../../src/catalogue/catalogue.enums';
import { AccessibilityNeed, AgeBand } from '../../../src/customers/customer.enums';
import { InterestKind } from '../../../src/interests/interest.enums';
import {
  rankEvents,
  renderReason,
  type CustomerProfile,
  type LibraryEvent,
} from '../../../src/recommendations/engine';
import { DAY, NOW } from './fixtures';

const coding = { kind: InterestKind.EVENT_TYPE, label: 'Coding club' };
const history = { kind: InterestKind.SUBJECT, label: 'Local history' };
const knitting = { kind: InterestKind.EVENT_TYPE, label: 'Knitting circle' };
const everyone: Audience[] = [];

/** Events 0–1 are past; 2 onwards are upcoming. */
const EVENTS: LibraryEvent[] = [
  { topics: [coding], audiences: everyone, startsAt: NOW - 30 * DAY, branch: 0 },
  { topics: [history], audiences: [Audience.ADULT], startsAt: NOW - 20 * DAY, branch: 0 },
  {
    topics: [coding],
    audiences: [Audience.CHILDREN, Audience.YOUNG_ADULT],
    startsAt: NOW + 3 * DAY,
    branch: 0,
  },
  { topics: [history], audiences: [Audience.ADULT], startsAt: NOW + 5 * DAY, branch: 1 },
  {
    topics: [knitting],
    audiences: [Audience.ADULT],
    startsAt: NOW + 2 * DAY,
    branch: 0,
    bookedCount: 12,
  },
  { topics: [coding], audiences: [Audience.ADULT], startsAt: NOW + 4 * DAY, branch: 1, full: true },
  { topics: [history], audiences: [Audience.ADULT], startsAt: NOW + 400 * DAY, branch: 1 },
  { topics: [coding], audiences: [Audience.ADULT], startsAt: NOW + 6 * DAY, branch: 1 },
];
const context = { now: NOW, events: EVENTS };
const indices = (profile: CustomerProfile): number[] =>
  rankEvents(EVENTS, profile, context).map((event) => event.eventIndex);

describe('rankEvents', () => {
  const attendedCoding: CustomerProfile = {
    ageBand: AgeBand.ADULT_25_44,
    mode: 'FULL',
    eventHistory: [{ event: 0, type: ActivityType.EVENT_ATTENDED, at: NOW - 30 * DAY }],
  };

  it('ranks events matching a declared interest first', () => {
    const profile: CustomerProfile = {
      ageBand: AgeBand.ADULT_45_64,
      mode: 'FULL',
      interests: [{ kind: InterestKind.SUBJECT, label: 'local HISTORY' }],
    };
    const ranked = rankEvents(EVENTS, profile, context);
    expect(ranked[0].eventIndex).toBe(3);
    expect(renderReason(ranked[0].reasons[0])).toBe('Matches your interest in local HISTORY');
  });

  it('suggests events like ones the customer attended, in FULL mode only', () => {
    const ranked = rankEvents(EVENTS, attendedCoding, context);
    expect(ranked[0].eventIndex).toBe(7);
    expect(ranked[0].reasons[0]).toMatchObject({ kind: 'ATTENDED_EVENT', eventIndex: 0 });
    const titles = (i: number): string | undefined => (i === 0 ? 'Coding Club' : undefined);
    expect(renderReason(ranked[0].reasons[0], { eventTitle: titles })).toBe(
      'Because you attended Coding Club',
    );
    expect(indices({ ...attendedCoding, mode: 'INTERESTS_ONLY' })).not.toContain(7);
  });

  it('never suggests adult events to a child', () => {
    const child: CustomerProfile = {
      ageBand: AgeBand.CHILD_5_11,
      mode: 'FULL',
      homeBranch: 0,
      interests: [{ kind: InterestKind.EVENT_TYPE, label: 'coding club' }, knitting],
    };
    expect(indices(child)).toEqual([2]);
  });

  it('leaves out past, full, far-off and already booked events', () => {
    const keen: CustomerProfile = {
      ageBand: AgeBand.ADULT_25_44,
      mode: 'FULL',
      interests: [coding, history, knitting],
      eventHistory: [{ event: 3, type: ActivityType.EVENT_BOOKED, at: NOW - DAY }],
    };
    const ranked = indices(keen);
    for (const excluded of [0, 1, 3, 5, 6]) expect(ranked).not.toContain(excluded);
    // Event 2 is a children's and young people's session.
    expect(ranked.sort()).toEqual([4, 7]);
  });

  it('gives a generic list in OFF mode from the home branch and bookings', () => {
    const off: CustomerProfile = {
      ageBand: AgeBand.ADULT_65_PLUS,
      mode: 'OFF',
      homeBranch: 0,
      interests: [history],
    };
    const ranked = rankEvents(EVENTS, off, context);
    expect(ranked[0].eventIndex).toBe(4);
    expect(ranked.some((event) => event.eventIndex === 3)).toBe(false);
    expect(ranked[0].reasons.map((reason) => reason.kind)).toEqual(['AT_YOUR_BRANCH', 'POPULAR']);
  });

  it('demotes an event whose venue lacks a hearing loop the customer needs', () => {
    const venue = (accessibility: AccessibilityNeed[]): LibraryEvent[] =>
      EVENTS.map((event, i) => (i === 3 ? { ...event, accessibility } : event));
    const withLoop = venue([AccessibilityNeed.HEARING_LOOP]);
    const withoutLoop = venue([]);
    const profile: CustomerProfile = {
      ageBand: AgeBand.ADULT_65_PLUS,
      mode: 'FULL',
      accessibilityNeeds: [AccessibilityNeed.HEARING_LOOP],
      interests: [history],
    };
    const score = (events: LibraryEvent[]): number =>
      rankEvents(events, profile, { now: NOW }).find((event) => event.eventIndex === 3)?.score ?? 0;
    expect(score(withoutLoop)).toBeLessThan(score(withLoop));
  });
});
