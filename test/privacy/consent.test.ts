import { Role } from '../../src/auth/role';
import {
  ConsentChannel,
  ConsentPurpose,
  ConsentSource,
  HistoryChoice,
} from '../../src/consent/consent.enums';
import {
  currentConsents,
  historyChoiceAfterConsent,
  historyConsentFor,
  isGiven,
  type LedgerEntry,
  marketingEligible,
  modeAfterConsent,
  parseConsentInput,
  recommendationModeFor,
} from '../../src/consent/consent.rules';
import { RecommendationMode } from '../../src/recommendations/recommendation.enums';
import { refreshDeduplicationId } from '../../src/recommendations/recommendation.queue';
import type { TestApi } from '../support/api';
import { eventually } from '../support/library';
import { closePrivacyApi, insertCustomer, startPrivacyApi } from './privacy-api';

const { PERSONALISATION, HISTORY_RETENTION, MARKETING, SERVICE_MESSAGES } = ConsentPurpose;

let seq = 0;
function entry(
  purpose: ConsentPurpose,
  granted: boolean,
  at: number,
  channel: ConsentChannel | null = null,
): LedgerEntry {
  return {
    id: String(++seq),
    purpose,
    channel,
    granted,
    recordedAt: new Date(at),
    source: ConsentSource.WEB,
    wordingVersion: 'v1',
  };
}

describe('consent rules', () => {
  it('counts a purpose never recorded as not given and lists every purpose and channel', () => {
    const current = currentConsents([]);
    expect(current).toHaveLength(3 + 2 * 4);
    expect(current.every((c) => !c.granted && c.since === null && c.source === null)).toBe(true);
    expect(recommendationModeFor(current)).toBe(RecommendationMode.OFF);
  });

  it('lets the latest row per purpose and channel decide, the id breaking ties', () => {
    const current = currentConsents([
      entry(MARKETING, true, 1000, ConsentChannel.EMAIL),
      entry(MARKETING, false, 2000, ConsentChannel.EMAIL),
      entry(MARKETING, true, 1500, ConsentChannel.SMS),
      entry(PERSONALISATION, false, 3000),
      entry(PERSONALISATION, true, 3000),
    ]);
    expect(isGiven(current, MARKETING, ConsentChannel.EMAIL)).toBe(false);
    expect(isGiven(current, MARKETING, ConsentChannel.SMS)).toBe(true);
    expect(isGiven(current, PERSONALISATION)).toBe(true);
    expect(marketingEligible(current, ConsentChannel.SMS)).toBe(true);
    expect(marketingEligible(current, ConsentChannel.EMAIL)).toBe(false);
    expect(marketingEligible(current, ConsentChannel.POST)).toBe(false);
  });

  it('derives OFF, INTERESTS_ONLY and FULL from personalisation and history retention', () => {
    const mode = (...e: LedgerEntry[]) => recommendationModeFor(currentConsents(e));
    expect(mode(entry(HISTORY_RETENTION, true, 1))).toBe(RecommendationMode.OFF);
    expect(mode(entry(PERSONALISATION, true, 1))).toBe(RecommendationMode.INTERESTS_ONLY);
    const both = [entry(PERSONALISATION, true, 1), entry(HISTORY_RETENTION, true, 1)];
    expect(mode(...both)).toBe(RecommendationMode.FULL);
    expect(mode(...both, entry(PERSONALISATION, false, 2))).toBe(RecommendationMode.OFF);
  });

  it('leaves the mode alone when the consent recorded is about another purpose', () => {
    const current = currentConsents([entry(SERVICE_MESSAGES, true, 1, ConsentChannel.SMS)]);
    const { FULL, OFF } = RecommendationMode;
    expect(modeAfterConsent(FULL, current, SERVICE_MESSAGES)).toBe(FULL);
    expect(modeAfterConsent(FULL, current, PERSONALISATION)).toBe(OFF);
  });

  it('requires a channel for service messages and marketing and refuses one elsewhere', () => {
    const base = { granted: true, source: 'WEB', wordingVersion: 'v1' };
    const parse = (more: Record<string, unknown>) => parseConsentInput({ ...base, ...more });
    expect(() => parse({ purpose: 'MARKETING' })).toThrow(/input.channel/);
    expect(() => parse({ purpose: 'PERSONALISATION', channel: 'EMAIL' })).toThrow(/input.channel/);
    expect(parse({ purpose: 'SERVICE_MESSAGES', channel: 'SMS' }).channel).toBe('SMS');
    expect(parse({ purpose: 'PERSONALISATION' }).channel).toBeNull();
  });

  it('refuses an empty or over-long wording version and a grant from an unsubscribe link', () => {
    const base = { purpose: 'PERSONALISATION', granted: true, source: 'WEB' };
    const parse = (more: Record<string, unknown>) => parseConsentInput({ ...base, ...more });
    expect(() => parse({ wordingVersion: '  ' })).toThrow(/input.wordingVersion/);
    expect(() => parse({ wordingVersion: 'x'.repeat(51) })).toThrow(/input.wordingVersion/);
    expect(parse({ wordingVersion: 'x'.repeat(50) }).wordingVersion).toHaveLength(50);
    const unsubscribe = { source: 'UNSUBSCRIBE_LINK', wordingVersion: 'v1' };
    expect(() => parse(unsubscribe)).toThrow(/input.source/);
  });

  it('maps history choices onto history retention consistently both ways', () => {
    expect(historyConsentFor(HistoryChoice.KEEP)).toBe(true);
    expect(historyConsentFor(HistoryChoice.DEFAULT)).toBe(false);
    expect(historyConsentFor(HistoryChoice.NEVER)).toBe(false);
    expect(historyChoiceAfterConsent(HistoryChoice.NEVER, true)).toBe(HistoryChoice.KEEP);
    expect(historyChoiceAfterConsent(HistoryChoice.KEEP, false)).toBe(HistoryChoice.DEFAULT);
    expect(historyChoiceAfterConsent(HistoryChoice.NEVER, false)).toBe(HistoryChoice.NEVER);
    expect(historyChoiceAfterConsent(HistoryChoice.DEFAULT, false)).toBe(HistoryChoice.DEFAULT);
  });
});

describe('the consent ledger over GraphQL', () => {
  let api: TestApi;

  const GIVE = `mutation($c: ID!, $in: ConsentChangeInput!) {
    giveConsent(customerId: $c, input: $in) { id recommendationMode historyChoice } }`;
  const WITHDRAW = `mutation($c: ID!, $in: ConsentChangeInput!) {
    withdrawConsent(customerId: $c, input: $in) { id recommendationMode historyChoice } }`;
  const CHOOSE = `mutation($c: ID!, $in: HistoryChoiceInput!) {
    setHistoryChoice(customerId: $c, input: $in) { id recommendationMode historyChoice } }`;
  const STATE = `query($c: ID!) { customer(id: $c) { recommendationMode historyChoice
    consents { purpose channel granted since source wordingVersion }
    consentHistory { purpose channel granted recordedAt source wordingVersion } } }`;

  const consent = (purpose: string, extra: Record<string, unknown> = {}) => ({
    purpose,
    source: 'WEB',
    wordingVersion: 'privacy-2026-01',
    ...extra,
  });

  async function ok(query: string, variables: Record<string, unknown>, token?: string | null) {
    const res = await api.gql(query, variables, token);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data;
  }

  async function code(query: string, variables: Record<string, unknown>, token?: string | null) {
    const res = await api.gql(query, variables, token);
    return res.errors?.[0]?.extensions?.code ?? 'OK';
  }

  beforeAll(async () => {
    api = await startPrivacyApi('privacy_consent');
  });

  afterAll(async () => {
    await closePrivacyApi(api);
  });

  it('derives state and mode from the ledger and keeps the mode column in step', async () => {
    const c = await insertCustomer(api.db.ds, { externalId: 'C-derive' });
    const given = await ok(GIVE, { c, in: consent('PERSONALISATION') });
    expect(given.giveConsent.recommendationMode).toBe('INTERESTS_ONLY');
    const full = await ok(GIVE, { c, in: consent('HISTORY_RETENTION') });
    expect(full.giveConsent).toMatchObject({ recommendationMode: 'FULL', historyChoice: 'KEEP' });
    await ok(GIVE, { c, in: consent('MARKETING', { channel: 'EMAIL' }) });

    const state = (await ok(STATE, { c })).customer;
    const find = (purpose: string, channel: string | null = null) =>
      state.consents.find((s: any) => s.purpose === purpose && s.channel === channel);
    expect(find('PERSONALISATION')).toMatchObject({
      granted: true,
      source: 'WEB',
      wordingVersion: 'privacy-2026-01',
    });
    expect(find('MARKETING', 'EMAIL').granted).toBe(true);
    expect(find('MARKETING', 'SMS')).toMatchObject({ granted: false, since: null, source: null });
    expect(find('DEMOGRAPHICS_FOR_PLANNING').granted).toBe(false);
    expect(state.consentHistory.map((h: any) => h.purpose)).toEqual([
      'MARKETING',
      'HISTORY_RETENTION',
      'PERSONALISATION',
    ]);
    const [column] = await api.db.ds.query(
      'SELECT recommendation_mode FROM customer WHERE id = $1',
      [c],
    );
    expect(column.recommendation_mode).toBe('FULL');
  });

  it('keeps a customer without consent rows on their mode until a mode consent', async () => {
    const c = await insertCustomer(api.db.ds, { externalId: 'C-legacy' });
    const d = await ok(GIVE, { c, in: consent('SERVICE_MESSAGES', { channel: 'SMS' }) });
    expect(d.giveConsent.recommendationMode).toBe('FULL');
    const w = await ok(WITHDRAW, { c, in: consent('HISTORY_RETENTION') });
    expect(w.withdrawConsent.recommendationMode).toBe('OFF');
  });

  it('evicts cached suggestions when personalisation is withdrawn or narrowed', async () => {
    const { store } = api.platform.recommendations;
    const c = await insertCustomer(api.db.ds, { externalId: 'C-evict' });
    await ok(GIVE, { c, in: consent('PERSONALISATION') });
    await ok(GIVE, { c, in: consent('HISTORY_RETENTION') });
    const cached = {
      customerId: c,
      modelVersion: '1',
      computedAt: new Date().toISOString(),
      mode: 'FULL',
      items: [],
      events: [],
    };

    await store.put([cached]);
    await ok(WITHDRAW, { c, in: consent('HISTORY_RETENTION') });
    expect(await store.get(c)).toBeNull();

    await store.put([{ ...cached, mode: 'INTERESTS_ONLY' }]);
    const off = await ok(WITHDRAW, { c, in: consent('PERSONALISATION') });
    expect(off.withdrawConsent.recommendationMode).toBe('OFF');
    expect(await store.get(c)).toBeNull();
  });

  it('asks for a refresh as soon as personalisation may use more', async () => {
    const { queue } = api.platform.recommendations;
    const c = await insertCustomer(api.db.ds, { externalId: 'C-rise' });
    await ok(WITHDRAW, { c, in: consent('PERSONALISATION') });
    expect(await queue.queue.getDeduplicationJobId(refreshDeduplicationId(c))).toBeNull();
    await ok(GIVE, { c, in: consent('PERSONALISATION') });
    await eventually(() => queue.queue.getDeduplicationJobId(refreshDeduplicationId(c)));
  });

  it('audits every change, the customer’s own included, without personal data', async () => {
    const c = await insertCustomer(api.db.ds, { externalId: 'C-audit', firstName: 'Ottoline' });
    const self = await api.token(Role.CUSTOMER, { customerId: c });
    await ok(GIVE, { c, in: consent('MARKETING', { channel: 'POST' }) }, self);
    const unsubscribe = consent('MARKETING', { channel: 'POST', source: 'UNSUBSCRIBE_LINK' });
    await ok(WITHDRAW, { c, in: unsubscribe }, self);
    const rows = await api.db.ds.query(
      `SELECT action, actor_role, details FROM audit_entry WHERE customer_id = $1 ORDER BY id`,
      [c],
    );
    expect(rows.map((r: any) => r.action)).toEqual(['consent.give', 'consent.withdraw']);
    expect(rows[0]).toMatchObject({
      actor_role: 'CUSTOMER',
      details: { purpose: 'MARKETING', channel: 'POST' },
    });
    expect(JSON.stringify(rows)).not.toContain('Ottoline');
  });

  it('names the field when a channel is missing and records nothing', async () => {
    const c = await insertCustomer(api.db.ds, { externalId: 'C-invalid' });
    const res = await api.gql(GIVE, { c, in: consent('MARKETING') });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(res.errors?.[0].extensions.problems[0].field).toBe('input.channel');
    const [n] = await api.db.ds.query(
      'SELECT count(*)::int AS n FROM consent_record WHERE customer_id = $1',
      [c],
    );
    expect(n.n).toBe(0);
  });

  it('refuses to update or delete a row of the consent ledger', async () => {
    const c = await insertCustomer(api.db.ds, { externalId: 'C-append-only' });
    await ok(GIVE, { c, in: consent('PERSONALISATION') });
    await expect(
      api.db.ds.query('UPDATE consent_record SET granted = false WHERE customer_id = $1', [c]),
    ).rejects.toThrow(/append-only/);
    await expect(
      api.db.ds.query('DELETE FROM consent_record WHERE customer_id = $1', [c]),
    ).rejects.toThrow(/append-only/);
  });

  it('records a history choice as history retention and recomputes the mode', async () => {
    const c = await insertCustomer(api.db.ds, { externalId: 'C-choice' });
    await ok(GIVE, { c, in: consent('PERSONALISATION') });
    const choose = async (choice: string) => {
      const input = { choice, source: 'APP', wordingVersion: 'h1' };
      return (await ok(CHOOSE, { c, in: input })).setHistoryChoice;
    };
    expect(await choose('KEEP')).toMatchObject({
      historyChoice: 'KEEP',
      recommendationMode: 'FULL',
    });
    expect(await choose('NEVER')).toMatchObject({
      historyChoice: 'NEVER',
      recommendationMode: 'INTERESTS_ONLY',
    });
    const state = (await ok(STATE, { c })).customer;
    const latest = state.consentHistory.slice(0, 2);
    expect(latest.map((h: any) => [h.purpose, h.granted, h.source])).toEqual([
      ['HISTORY_RETENTION', false, 'APP'],
      ['HISTORY_RETENTION', true, 'APP'],
    ]);
    // Giving history retention directly means keeping history; withdrawing it ends KEEP.
    const history = { c, in: consent('HISTORY_RETENTION') };
    expect((await ok(GIVE, history)).giveConsent.historyChoice).toBe('KEEP');
    expect((await ok(WITHDRAW, history)).withdrawConsent.historyChoice).toBe('DEFAULT');
    const [audit] = await api.db.ds.query(
      `SELECT details FROM audit_entry
        WHERE customer_id = $1 AND action = 'history.choice' ORDER BY id LIMIT 1`,
      [c],
    );
    expect(audit.details).toMatchObject({
      choice: 'KEEP',
      historyChoice: { from: 'DEFAULT', to: 'KEEP' },
    });
  });

  describe('who may change consents', () => {
    let self: string;
    let ward: string;
    let other: string;

    beforeAll(async () => {
      self = await insertCustomer(api.db.ds, { externalId: 'C-self' });
      ward = await insertCustomer(api.db.ds, { externalId: 'C-ward', guardianId: self });
      other = await insertCustomer(api.db.ds, { externalId: 'C-other' });
    });

    const cases: Array<[string, string, string]> = [
      ['giveConsent', GIVE, 'PERSONALISATION'],
      ['withdrawConsent', WITHDRAW, 'PERSONALISATION'],
    ];

    it.each(cases)('%s: the customer and guardian may, others not', async (_n, query, purpose) => {
      const asSelf = await api.token(Role.CUSTOMER, { customerId: self });
      const asOther = await api.token(Role.CUSTOMER, { customerId: other });
      const marketing = await api.token(Role.MARKETING);
      const staff = await api.token(Role.FRONT_LINE_STAFF, { staff: 'Desk' });
      const vars = (c: string) => ({ c, in: consent(purpose) });
      expect(await code(query, vars(self), asSelf)).toBe('OK');
      expect(await code(query, vars(ward), asSelf)).toBe('OK');
      expect(await code(query, vars(self), staff)).toBe('OK');
      expect(await code(query, vars(self), asOther)).toBe('FORBIDDEN');
      expect(await code(query, vars(self), marketing)).toBe('FORBIDDEN');
      expect(await code(query, vars(self), null)).toBe('UNAUTHENTICATED');
    });

    it('setHistoryChoice: the customer and staff may, others may not', async () => {
      const vars = { c: self, in: { choice: 'DEFAULT', source: 'WEB', wordingVersion: 'h1' } };
      const customer = (id: string) => api.token(Role.CUSTOMER, { customerId: id });
      expect(await code(CHOOSE, vars, await customer(self))).toBe('OK');
      expect(await code(CHOOSE, vars, await api.token(Role.ADMIN))).toBe('OK');
      expect(await code(CHOOSE, vars, await customer(other))).toBe('FORBIDDEN');
      expect(await code(CHOOSE, vars, await api.token(Role.MARKETING))).toBe('FORBIDDEN');
      expect(await code(CHOOSE, vars, null)).toBe('UNAUTHENTICATED');
    });

    it('consents: another customer may not read them', async () => {
      const q = `query($c: ID!) { customer(id: $c) { consents { purpose granted } } }`;
      const customer = (id: string) => api.token(Role.CUSTOMER, { customerId: id });
      expect(await code(q, { c: self }, await customer(self))).toBe('OK');
      expect(await code(q, { c: self }, await customer(other))).toBe('FORBIDDEN');
    });
  });
});
