import type { FieldProblem } from '../../common/errors';

/**
 * Message templates: plain text with fields in double braces. Pure functions only — parsing,
 * validation and rendering — so the preview, the workers and the tests render identically.
 *
 *   Dear {{firstName|reader}},
 *   three new titles picked for you at {{homeBranch}}:
 *   {{recommendedTitles:3}}
 *   See what's on: https://library.example/events
 *
 * `{{name|fallback}}` prints the fallback when the customer has no value. Links in the text
 * are found when the campaign is saved; each becomes a signed tracking link per message, and
 * only those links can ever be redirected to.
 */

/** The fields a template may use, with what each prints. */
export const TEMPLATE_FIELDS = {
  firstName: 'the customer’s first name',
  lastName: 'the customer’s last name',
  homeBranch: 'the name of the customer’s home branch',
  recommendedTitles:
    'their current suggestions, one "Title by Author" per line; {{recommendedTitles:5}} for five (default 3, at most 10)',
  topRecommendation: 'their first suggestion, as "Title by Author"',
} as const;

export type TemplateField = keyof typeof TEMPLATE_FIELDS;

const FIELD_NAMES = Object.keys(TEMPLATE_FIELDS) as TemplateField[];
/** Fields that print several lines, so they may not appear in a subject line. */
const MULTILINE: ReadonlySet<TemplateField> = new Set(['recommendedTitles']);

export const MAX_TITLES = 10;
export const DEFAULT_TITLES = 3;
export const TEMPLATE_LIMITS = {
  subject: 200,
  body: 20_000,
  shortBody: 480,
  fallback: 60,
  links: 20,
  linkLength: 2000,
} as const;

export type Token =
  | { kind: 'text'; text: string }
  | { kind: 'link'; index: number; url: string }
  | { kind: 'field'; name: TemplateField; count: number; fallback: string | null };

/** What fields print for one customer (or the sample customer of a preview). */
export interface MessageData {
  firstName: string | null;
  lastName: string | null;
  homeBranch: string | null;
  titles: Array<{ title: string; authors: string[] }>;
}

const FIELD_RE = /\{\{\s*([^{}]*?)\s*\}\}/g;
// A URL runs to the next space or angle bracket; trailing punctuation belongs to the sentence.
const URL_RE = /https?:\/\/[^\s<>"'{}]+/g;
const TRAILING_PUNCTUATION = /[.,;:!?)\]]+$/;

/** Every http(s) link in the texts, in order of first appearance, without duplicates. */
export function extractLinks(texts: ReadonlyArray<string | null | undefined>): string[] {
  const links: string[] = [];
  for (const text of texts) {
    if (!text) continue;
    for (const raw of text.replace(FIELD_RE, ' ').match(URL_RE) ?? []) {
      const url = raw.replace(TRAILING_PUNCTUATION, '');
      if (!links.includes(url)) links.push(url);
    }
  }
  return links;
}

/** Splits plain text into text and link tokens; `links` gives each link its index. */
function textTokens(text: string, links: readonly string[]): Token[] {
  const out: Token[] = [];
  let at = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = m[0].replace(TRAILING_PUNCTUATION, '');
    const index = links.indexOf(url);
    if (index < 0) continue;
    if (m.index! > at) out.push({ kind: 'text', text: text.slice(at, m.index) });
    out.push({ kind: 'link', index, url });
    at = m.index! + url.length;
  }
  if (at < text.length) out.push({ kind: 'text', text: text.slice(at) });
  return out;
}

/**
 * Parses a template text into tokens, collecting every problem (unknown field, bad count,
 * stray braces) under `field`. Links are tokenised against `links` (from `extractLinks`).
 */
export function parseTemplate(
  text: string,
  field: string,
  links: readonly string[],
  opts: { multiline: boolean } = { multiline: true },
): { tokens: Token[]; problems: FieldProblem[] } {
  const tokens: Token[] = [];
  const problems: FieldProblem[] = [];
  let at = 0;
  for (const m of text.matchAll(FIELD_RE)) {
    if (m.index! > at) tokens.push(...textTokens(text.slice(at, m.index), links));
    at = m.index! + m[0].length;
    const [spec, ...rest] = m[1].split('|');
    const fallback = rest.length ? rest.join('|').trim() : null;
    const [name, countText] = spec.trim().split(':');
    if (!FIELD_NAMES.includes(name as TemplateField)) {
      problems.push({
        field,
        rule: 'unknown_field',
        message: `{{${m[1]}}} is not a field; use ${FIELD_NAMES.join(', ')}`,
      });
      continue;
    }
    const f = name as TemplateField;
    let count = f === 'recommendedTitles' ? DEFAULT_TITLES : 1;
    if (countText !== undefined) {
      const n = Number(countText);
      if (f !== 'recommendedTitles') {
        problems.push({ field, rule: 'field_count', message: `{{${f}}} takes no count` });
      } else if (!Number.isInteger(n) || n < 1 || n > MAX_TITLES) {
        problems.push({
          field,
          rule: 'field_count',
          message: `{{recommendedTitles:N}} needs N from 1 to ${MAX_TITLES}`,
        });
      } else count = n;
    }
    if (fallback !== null && fallback.length > TEMPLATE_LIMITS.fallback) {
      problems.push({
        field,
        rule: 'fallback_length',
        message: `a fallback may be at most ${TEMPLATE_LIMITS.fallback} characters`,
      });
    }
    if (!opts.multiline && MULTILINE.has(f)) {
      problems.push({
        field,
        rule: 'multiline_field',
        message: `{{${f}}} prints several lines, so it cannot go in a subject`,
      });
    }
    tokens.push({ kind: 'field', name: f, count, fallback });
  }
  if (at < text.length) tokens.push(...textTokens(text.slice(at), links));
  for (const t of tokens) {
    if (t.kind === 'text' && /\{\{|\}\}/.test(t.text)) {
      problems.push({
        field,
        rule: 'unbalanced_braces',
        message: 'has "{{" or "}}" that does not form a field',
      });
      break;
    }
  }
  return { tokens, problems };
}

/** A template as a campaign stores it. */
export interface TemplateTexts {
  subject: string;
  body: string;
  /** The text for SMS and app notifications; required when the campaign uses them. */
  shortBody: string | null;
}

export interface ParsedTemplate {
  subject: Token[];
  body: Token[];
  shortBody: Token[] | null;
  links: string[];
}

/** Parses all three texts; problems are named `<prefix>.subject` and so on. */
export function parseTemplates(
  t: TemplateTexts,
  prefix: string,
): { template: ParsedTemplate; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const limit = (name: keyof typeof TEMPLATE_LIMITS, value: string | null) => {
    if (value === null) return;
    const max = TEMPLATE_LIMITS[name];
    if (!value.trim()) {
      problems.push({ field: `${prefix}.${name}`, rule: 'required', message: 'must not be empty' });
    } else if (value.length > max) {
      problems.push({
        field: `${prefix}.${name}`,
        rule: 'too_long',
        message: `must be at most ${max} characters`,
      });
    }
  };
  limit('subject', t.subject);
  limit('body', t.body);
  limit('shortBody', t.shortBody);
  if (/[\r\n]/.test(t.subject)) {
    problems.push({
      field: `${prefix}.subject`,
      rule: 'single_line',
      message: 'must be one line',
    });
  }
  const links = extractLinks([t.body, t.shortBody]);
  if (links.length > TEMPLATE_LIMITS.links) {
    problems.push({
      field: `${prefix}.body`,
      rule: 'too_many_links',
      message: `may contain at most ${TEMPLATE_LIMITS.links} different links`,
    });
  }
  for (const url of links) {
    let ok = url.length <= TEMPLATE_LIMITS.linkLength;
    try {
      new URL(url);
    } catch {
      ok = false;
    }
    if (!ok) {
      problems.push({
        field: `${prefix}.body`,
        rule: 'bad_link',
        message: `${url.slice(0, 80)} is not a usable http(s) link`,
      });
    }
  }
  const subject = parseTemplate(t.subject, `${prefix}.subject`, [], { multiline: false });
  const body = parseTemplate(t.body, `${prefix}.body`, links);
  const short =
    t.shortBody === null ? null : parseTemplate(t.shortBody, `${prefix}.shortBody`, links);
  problems.push(...subject.problems, ...body.problems, ...(short?.problems ?? []));
  return {
    template: {
      subject: subject.tokens,
      body: body.tokens,
      shortBody: short?.tokens ?? null,
      links,
    },
    problems,
  };
}

/** Whether a template uses the customer's suggestions, so they must be read to render it. */
export function usesRecommendations(t: ParsedTemplate): boolean {
  return [t.subject, t.body, t.shortBody ?? []].some((tokens) =>
    tokens.some(
      (x) =>
        x.kind === 'field' && (x.name === 'recommendedTitles' || x.name === 'topRecommendation'),
    ),
  );
}

/** How many suggestions the template prints at most. */
export function titlesNeeded(t: ParsedTemplate): number {
  let n = 0;
  for (const tokens of [t.subject, t.body, t.shortBody ?? []]) {
    for (const x of tokens)
      if (x.kind === 'field')
        n = Math.max(
          n,
          x.name === 'recommendedTitles' ? x.count : x.name === 'topRecommendation' ? 1 : 0,
        );
  }
  return n;
}

const titleLine = (t: { title: string; authors: string[] }) =>
  t.authors.length ? `${t.title} by ${t.authors.join(', ')}` : t.title;

/** What one field prints for `data`, as plain text. */
export function fieldText(token: Extract<Token, { kind: 'field' }>, data: MessageData): string {
  let value: string | null;
  switch (token.name) {
    case 'firstName':
      value = data.firstName;
      break;
    case 'lastName':
      value = data.lastName;
      break;
    case 'homeBranch':
      value = data.homeBranch;
      break;
    case 'topRecommendation':
      value = data.titles[0] ? titleLine(data.titles[0]) : null;
      break;
    case 'recommendedTitles': {
      const lines = data.titles.slice(0, token.count).map((t) => `• ${titleLine(t)}`);
      value = lines.length ? lines.join('\n') : null;
      break;
    }
  }
  return value?.trim() ? value.trim() : (token.fallback ?? '');
}

/** Renders tokens as plain text; `linkUrl` gives each link its (tracked) address. */
export function renderText(
  tokens: readonly Token[],
  data: MessageData,
  linkUrl: (index: number) => string,
): string {
  return tokens
    .map((t) =>
      t.kind === 'text' ? t.text : t.kind === 'link' ? linkUrl(t.index) : fieldText(t, data),
    )
    .join('');
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Renders tokens as HTML: text and values escaped, links as anchors, line breaks kept. */
export function renderHtml(
  tokens: readonly Token[],
  data: MessageData,
  linkUrl: (index: number) => string,
): string {
  return tokens
    .map((t) => {
      if (t.kind === 'link') {
        return `<a href="${escapeHtml(linkUrl(t.index))}">${escapeHtml(t.url)}</a>`;
      }
      return escapeHtml(t.kind === 'text' ? t.text : fieldText(t, data));
    })
    .join('')
    .replace(/\r?\n/g, '<br>\n');
}

/**
 * The fictional customer previews are rendered for: marketing staff see how a message reads
 * without seeing anyone's name, branch or suggestions.
 */
export const SAMPLE_CUSTOMER: Omit<MessageData, 'titles'> = {
  firstName: 'Alex',
  lastName: 'Sample',
  homeBranch: 'Your Local Library',
};

/** Invented titles for previews when no popular list exists yet. */
export const SAMPLE_TITLES: MessageData['titles'] = [
  { title: 'The Lantern at Harrow End', authors: ['Imogen Vale'] },
  { title: 'A Short History of Tides', authors: ['Tomasz Wren'] },
  { title: 'Midnight at the Map Room', authors: ['Priya Castell'] },
  { title: 'Gardening for Small Spaces', authors: ['Ruth Okafor'] },
  { title: 'The Clockmaker’s Apprentice', authors: ['Dan Mercer'] },
  { title: 'Stars Over the Estuary', authors: ['Lena Harwood'] },
  { title: 'Bread, Simply', authors: ['Sam Ellery'] },
  { title: 'The Quiet Coast', authors: ['Hannah Birch'] },
  { title: 'Learning to Code with Pip', authors: ['Oluwaseun Hart'] },
  { title: 'Wild Walks of the North', authors: ['Fergus Lamb'] },
];
