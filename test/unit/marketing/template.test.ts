import { ConsentChannel } from '../../../src/consent/consent.enums';
import { CampaignPurpose } from '../../../src/marketing/campaigns/campaign.enums';
import { composeMessage } from '../../../src/marketing/channels/message';
import {
  extractLinks,
  type MessageData,
  parseTemplate,
  parseTemplates,
  renderHtml,
  renderText,
  titlesNeeded,
  usesRecommendations,
} from '../../../src/marketing/templates/template';

const DATA: MessageData = {
  firstName: 'Ada',
  lastName: null,
  homeBranch: 'Central <Library>',
  titles: [
    { title: 'The Moonstone', authors: ['Wilkie Collins'] },
    { title: 'Bleak House', authors: [] },
  ],
};
const asIs = (links: string[]) => (i: number) => links[i];

describe('templates', () => {
  it('prints fields, fallbacks and suggestions', () => {
    const { tokens, problems } = parseTemplate(
      'Dear {{ firstName }} {{lastName|friend}} at {{homeBranch}}:\n{{recommendedTitles:3}}\nTop: {{topRecommendation}}',
      'body',
      [],
    );
    expect(problems).toEqual([]);
    expect(renderText(tokens, DATA, asIs([]))).toBe(
      'Dear Ada friend at Central <Library>:\n• The Moonstone by Wilkie Collins\n• Bleak House\nTop: The Moonstone by Wilkie Collins',
    );
  });

  it('finds links once each, without sentence punctuation, and only outside fields', () => {
    expect(
      extractLinks([
        'See https://a.example/x?y=1. Also (https://b.example/) and https://a.example/x?y=1!',
        '{{firstName|https://not.a.link}} https://c.example',
      ]),
    ).toEqual(['https://a.example/x?y=1', 'https://b.example/', 'https://c.example']);
  });

  it('replaces each link with the address given for its index', () => {
    const links = ['https://a.example/'];
    const { tokens } = parseTemplate('Go: https://a.example/ now', 'body', links);
    expect(renderText(tokens, DATA, () => 'https://track/1')).toBe('Go: https://track/1 now');
    expect(renderHtml(tokens, DATA, () => 'https://track/1?a=1&b=2')).toBe(
      'Go: <a href="https://track/1?a=1&amp;b=2">https://a.example/</a> now',
    );
  });

  it('escapes values in HTML', () => {
    const { tokens } = parseTemplate('{{homeBranch}}', 'body', []);
    expect(renderHtml(tokens, DATA, asIs([]))).toBe('Central &lt;Library&gt;');
  });

  it('reports unknown fields, bad counts, stray braces and multi-line fields in a subject', () => {
    const rules = (text: string, multiline = true) =>
      parseTemplate(text, 'f', [], { multiline }).problems.map((p) => p.rule);
    expect(rules('{{shoeSize}}')).toEqual(['unknown_field']);
    expect(rules('{{recommendedTitles:0}} {{firstName:2}}')).toEqual([
      'field_count',
      'field_count',
    ]);
    expect(rules('{{firstName} and }}')).toEqual(['unbalanced_braces']);
    expect(rules('{{recommendedTitles}}', false)).toEqual(['multiline_field']);
    expect(rules(`{{firstName|${'x'.repeat(61)}}}`)).toEqual(['fallback_length']);
  });

  it('checks lengths, a one-line subject and usable links', () => {
    const { problems } = parseTemplates(
      { subject: 'a\nb', body: ' ', shortBody: 'x'.repeat(481) },
      'input.template',
    );
    expect(problems.map((p) => `${p.field}:${p.rule}`)).toEqual([
      'input.template.body:required',
      'input.template.shortBody:too_long',
      'input.template.subject:single_line',
    ]);
  });

  it('knows when it needs suggestions, and how many', () => {
    const t = (body: string) =>
      parseTemplates({ subject: 's', body, shortBody: null }, 'x').template;
    expect(usesRecommendations(t('Hi {{firstName}}'))).toBe(false);
    expect(usesRecommendations(t('{{topRecommendation}}'))).toBe(true);
    expect(titlesNeeded(t('{{topRecommendation}} {{recommendedTitles:7}}'))).toBe(7);
  });
});

describe('composeMessage', () => {
  const { template } = parseTemplates(
    {
      subject: 'News for {{firstName}}',
      body: 'Hello {{firstName}}\nhttps://library.example/a',
      shortBody: 'Short {{firstName}} https://library.example/a',
    },
    'x',
  );
  const links = {
    unsubscribe: 'https://l/u',
    open: 'https://l/o',
    click: (i: number) => `https://l/c/${i}`,
  };

  it('gives email a subject, text and HTML with the unsubscribe link and the pixel', () => {
    const m = composeMessage({
      channel: ConsentChannel.EMAIL,
      purpose: CampaignPurpose.MARKETING,
      template,
      data: DATA,
      links,
    });
    expect(m.subject).toBe('News for Ada');
    expect(m.text).toContain('Hello Ada\nhttps://l/c/0');
    expect(m.text).toContain('you agreed to hear from the library by email');
    expect(m.text.trimEnd().endsWith('https://l/u')).toBe(true);
    expect(m.html).toContain('<img src="https://l/o"');
    expect(m.html).toContain('<a href="https://l/u">Unsubscribe</a>');
  });

  it('gives SMS the short text and a stop link, and says why for service information', () => {
    const sms = composeMessage({
      channel: ConsentChannel.SMS,
      purpose: CampaignPurpose.MARKETING,
      template,
      data: DATA,
      links,
    });
    expect(sms).toEqual({
      subject: null,
      html: null,
      text: 'Short Ada https://l/c/0\nStop: https://l/u',
    });
    const info = composeMessage({
      channel: ConsentChannel.EMAIL,
      purpose: CampaignPurpose.SERVICE_INFORMATION,
      template,
      data: DATA,
      links,
    });
    expect(info.text).toContain('This is information about your library’s services.');
  });
});
