import { ConsentChannel } from '../../consent/consent.enums';
import { CampaignPurpose } from '../campaigns/campaign.enums';
import {
  escapeHtml,
  type MessageData,
  type ParsedTemplate,
  renderHtml,
  renderText,
} from '../templates/template';

/** Where a message's own links point: signed per message, or stand-ins for a preview. */
export interface MessageLinks {
  unsubscribe: string;
  /** The open-tracking pixel (email only); null leaves it out. */
  open: string | null;
  click(linkIndex: number): string;
}

/** A message ready for a channel. */
export interface ComposedMessage {
  /** Email only. */
  subject: string | null;
  text: string;
  /** Email only. */
  html: string | null;
}

/** Why the customer is getting this, and how to stop it: every message says both. */
function footer(purpose: CampaignPurpose, channel: ConsentChannel): string {
  const how =
    channel === ConsentChannel.EMAIL
      ? 'by email'
      : channel === ConsentChannel.SMS
        ? 'by text'
        : 'in the app';
  return purpose === CampaignPurpose.MARKETING
    ? `You are getting this because you agreed to hear from the library ${how}. To stop, unsubscribe here:`
    : `This is information about your library’s services. To stop getting it ${how}, use this link:`;
}

/**
 * Renders a campaign's template for one customer on one channel. Email gets the subject, a
 * plain-text and an HTML part (with the open pixel), and a footer with the unsubscribe link;
 * SMS and app notifications get the short text and a "Stop:" link.
 */
export function composeMessage(args: {
  channel: ConsentChannel;
  purpose: CampaignPurpose;
  template: ParsedTemplate;
  data: MessageData;
  links: MessageLinks;
}): ComposedMessage {
  const { channel, purpose, template, data, links } = args;
  const click = (i: number) => links.click(i);
  if (channel !== ConsentChannel.EMAIL) {
    const body = renderText(template.shortBody ?? template.body, data, click).trim();
    return { subject: null, text: `${body}\nStop: ${links.unsubscribe}`, html: null };
  }
  const subject = renderText(template.subject, data, click).replace(/\s+/g, ' ').trim();
  const note = footer(purpose, channel);
  const text = `${renderText(template.body, data, click).trimEnd()}\n\n--\n${note}\n${links.unsubscribe}\n`;
  const pixel = links.open
    ? `<img src="${escapeHtml(links.open)}" width="1" height="1" alt="" style="display:block">`
    : '';
  const html =
    '<!doctype html><html><body>' +
    `<div>${renderHtml(template.body, data, click)}</div>` +
    `<hr><p style="font-size:small">${escapeHtml(note)} ` +
    `<a href="${escapeHtml(links.unsubscribe)}">Unsubscribe</a></p>${pixel}</body></html>`;
  return { subject, text, html };
}
