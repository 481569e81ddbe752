import { ConfigError, loadConfig } from '../../../src/config';
import { marketingSettings } from '../../../src/marketing/marketing.settings';

const PROD = { NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40) };

describe('marketing configuration', () => {
  it('has working defaults: cap 2 a week, quiet overnight in London, no channel set up', () => {
    const s = marketingSettings(loadConfig({}));
    expect(s.cap).toEqual({ messages: 2, days: 7 });
    expect(s.quietHours).toEqual({ start: 21 * 60, end: 8 * 60, timeZone: 'Europe/London' });
    expect([...s.channels]).toEqual([]);
    expect(s.publicUrl).toBe('http://localhost:4000');
  });

  it('turns channels on with their settings', () => {
    const s = marketingSettings(
      loadConfig({
        SMTP_URL: 'smtp://mail.example:587',
        SMS_WEBHOOK_URL: 'https://sms.example/hook',
        QUIET_HOURS: 'off',
        PUBLIC_URL: 'https://library.example/',
      }),
    );
    expect([...s.channels].sort()).toEqual(['EMAIL', 'SMS']);
    expect(s.quietHours).toBeNull();
    expect(s.publicUrl).toBe('https://library.example');
  });

  it('names the variable and the rule when a value is wrong', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems.map((p) => p.split(':')[0]);
      }
    };
    expect(problems({ QUIET_HOURS: '9pm-8am' })).toEqual(['QUIET_HOURS']);
    expect(problems({ LIBRARY_TIME_ZONE: 'Mars/Olympus' })).toEqual(['LIBRARY_TIME_ZONE']);
    expect(problems({ SMTP_URL: 'http://mail' })).toEqual(['SMTP_URL']);
    expect(problems({ MARKETING_CAP_MESSAGES: '0' })).toEqual(['MARKETING_CAP_MESSAGES']);
    expect(problems({ LINK_SECRET: 'short' })).toEqual(['LINK_SECRET']);
  });

  it('requires real secrets in production once a channel is set up', () => {
    expect(() => loadConfig(PROD)).not.toThrow();
    expect(() => loadConfig({ ...PROD, SMTP_URL: 'smtp://mail.example' })).toThrow(/LINK_SECRET/);
    expect(() =>
      loadConfig({ ...PROD, SMS_WEBHOOK_URL: 'https://sms.example', LINK_SECRET: 'l'.repeat(40) }),
    ).toThrow(/WEBHOOK_SECRET/);
  });
});
