import { type Config, linkSecret, publicUrl, webhookSecret } from '../config';
import { ConsentChannel } from '../consent/consent.enums';
import { parseQuietHours, type QuietHours } from './delivery/quiet-hours';

/** Everything marketing reads from the configuration, in the shape the code uses. */
export interface MarketingSettings {
  /** Channels with a transport configured. */
  channels: ReadonlySet<ConsentChannel>;
  smtpUrl: string | null;
  mailFrom: string;
  smsWebhookUrl: string | null;
  appWebhookUrl: string | null;
  webhookSecret: string;
  linkSecret: string;
  /** Base of tracking and unsubscribe links. */
  publicUrl: string;
  cap: { messages: number; days: number };
  quietHours: QuietHours | null;
  perSecond: Record<'EMAIL' | 'SMS' | 'APP', number>;
  concurrency: number;
  lockMs: number;
}

export function marketingSettings(config: Config): MarketingSettings {
  const channels = new Set<ConsentChannel>();
  if (config.SMTP_URL) channels.add(ConsentChannel.EMAIL);
  if (config.SMS_WEBHOOK_URL) channels.add(ConsentChannel.SMS);
  if (config.APP_WEBHOOK_URL) channels.add(ConsentChannel.APP);
  return {
    channels,
    smtpUrl: config.SMTP_URL ?? null,
    mailFrom: config.MAIL_FROM,
    smsWebhookUrl: config.SMS_WEBHOOK_URL ?? null,
    appWebhookUrl: config.APP_WEBHOOK_URL ?? null,
    webhookSecret: webhookSecret(config),
    linkSecret: linkSecret(config),
    publicUrl: publicUrl(config),
    cap: { messages: config.MARKETING_CAP_MESSAGES, days: config.MARKETING_CAP_DAYS },
    quietHours:
      config.QUIET_HOURS === 'off'
        ? null
        : parseQuietHours(config.QUIET_HOURS, config.LIBRARY_TIME_ZONE),
    perSecond: {
      EMAIL: config.EMAIL_PER_SECOND,
      SMS: config.SMS_PER_SECOND,
      APP: config.APP_PER_SECOND,
    },
    concurrency: config.DELIVERY_CONCURRENCY,
    lockMs: config.DELIVERY_LOCK_MS,
  };
}
