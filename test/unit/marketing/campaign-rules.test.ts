import { DomainError, ErrorCode } from '../../../src/common/errors';
import { ConsentChannel } from '../../../src/consent/consent.enums';
import { CampaignStatus, SuppressionReason } from '../../../src/marketing/campaigns/campaign.enums';
import { shapeResults, shapeUplift } from '../../../src/marketing/campaigns/campaign.results';
import {
  assertEditable,
  assertMove,
  canMove,
  controlBucket,
  inControlGroup,
  validateCampaign,
} from '../../../src/marketing/campaigns/campaign.rules';

const S = CampaignStatus;
const EMAIL_ONLY = new Set([ConsentChannel.EMAIL]);

describe('the lifecycle', () => {
  it('allows exactly DRAFT → SCHEDULED → SENDING → SENT, cancelling, and unscheduling', () => {
    const allowed = Object.values(S).flatMap((from) =>
      Object.values(S)
        .filter((to) => canMove(from, to))
        .map((to) => `${from}→${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'DRAFT→SCHEDULED',
        'DRAFT→CANCELLED',
        'SCHEDULED→SCHEDULED',
        'SCHEDULED→DRAFT',
        'SCHEDULED→SENDING',
        'SCHEDULED→CANCELLED',
        'SENDING→SENT',
        'SENDING→CANCELLED',
      ].sort(),
    );
  });

  it('refuses anything else with INVALID_TRANSITION naming both states', () => {
    expect(() => assertMove(S.SENT, S.CANCELLED)).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_TRANSITION,
        message: 'A SENT campaign cannot become CANCELLED (it is finished)',
      }),
    );
    expect(() => assertEditable(S.SCHEDULED)).toThrow(/unschedule it first/);
    expect(() => assertEditable(S.DRAFT)).not.toThrow();
  });
});

describe('validateCampaign', () => {
  const good = {
    name: ' Autumn ',
    purpose: 'MARKETING',
    channels: ['EMAIL'],
    filter: { kinds: ['BORROWER'] },
    template: {
      subject: 'Hi {{firstName}}',
      body: 'Picks: {{recommendedTitles}} https://l.example',
    },
  };
  const problems = (input: unknown, channels = EMAIL_ONLY) => {
    try {
      validateCampaign(input, channels);
      return [];
    } catch (err) {
      return (err as DomainError).problems.map((p) => `${p.field}:${p.rule}`);
    }
  };

  it('returns the draft and its parsed template', () => {
    const { draft, parsed } = validateCampaign(good, EMAIL_ONLY);
    expect(draft).toMatchObject({ name: 'Autumn', controlPercent: 0, segmentId: null });
    expect(parsed.links).toEqual(['https://l.example']);
  });

  it('reports every problem at once', () => {
    expect(
      problems({
        ...good,
        name: '',
        channels: ['POST', 'SMS', 'SMS'],
        segmentId: '4',
        controlPercent: 2.5,
        extra: 1,
      }),
    ).toEqual([
      'input:unrecognized_keys',
      'input.name:too_small',
      'input.controlPercent:invalid_type',
      'input.channels:duplicate',
      'input.channels:unsupported_channel',
      'input.channels:channel_not_configured',
      'input.segmentId:audience',
      'input.template.shortBody:required',
    ]);
  });

  it('keeps personal suggestions out of service information', () => {
    expect(problems({ ...good, purpose: 'SERVICE_INFORMATION' })).toEqual([
      'input.purpose:personalised_service_information',
    ]);
  });
});

describe('the control group', () => {
  it('is the same every time and differs between campaigns', () => {
    expect(controlBucket('12', '345')).toBe(controlBucket('12', '345'));
    const a = Array.from({ length: 200 }, (_, i) => inControlGroup('1', String(i + 1), 50));
    const b = Array.from({ length: 200 }, (_, i) => inControlGroup('2', String(i + 1), 50));
    expect(a).not.toEqual(b);
  });

  it('holds back about the share asked for', () => {
    const n = 20_000;
    for (const percent of [0, 5, 20, 50]) {
      let held = 0;
      for (let i = 1; i <= n; i++) if (inControlGroup('77', String(i), percent)) held++;
      expect(Math.abs(held / n - percent / 100)).toBeLessThan(0.01);
    }
  });
});

describe('results', () => {
  it('withholds counts of 1 to threshold − 1 and the rates built on them, but shows zeros', () => {
    const uplift = shapeUplift(
      14,
      { start: new Date(0), end: new Date(14 * 86_400_000), now: new Date(20 * 86_400_000) },
      { recipients: { members: 100, active: 30 }, control: { members: 20, active: 3 } },
      5,
    );
    expect(uplift).toMatchObject({
      complete: true,
      recipients: 100,
      recipientRate: 0.3,
      controlMembers: 20,
      controlActive: null,
      controlRate: null,
      uplift: null,
    });
    const both = shapeUplift(
      14,
      { start: null, end: null, now: new Date() },
      { recipients: { members: 100, active: 30 }, control: { members: 20, active: 5 } },
      5,
    );
    expect(both.uplift).toBeCloseTo(0.05);
    const r = shapeResults(
      [
        { status: 'SENT' as never, reason: null, n: 100, opened: 40, clicked: 2 },
        {
          status: 'SUPPRESSED' as never,
          reason: SuppressionReason.NO_CONSENT,
          n: 9,
          opened: 0,
          clicked: 0,
        },
        {
          status: 'SUPPRESSED' as never,
          reason: SuppressionReason.FREQUENCY_CAP,
          n: 3,
          opened: 0,
          clicked: 0,
        },
      ],
      both,
      5,
    );
    expect(r).toMatchObject({
      targeted: 112,
      sent: 100,
      opened: 40,
      clicked: null,
      failed: 0,
      suppressed: 12,
    });
    expect(r.suppressedByReason.find((s) => s.reason === 'FREQUENCY_CAP')!.count).toBeNull();
    expect(r.suppressedByReason.find((s) => s.reason === 'NO_ADDRESS')!.count).toBe(0);
  });
});
