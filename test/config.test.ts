import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/core/errors.js';

/** The error `loadConfig` throws for these settings (fails the test when it throws none). */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(env)}`);
}

/** Settings are read once and a bad one stops the start with a message that says how to fix it. */
describe('settings', () => {
  it('accepts IANA time zones, canonical or alias, and refuses anything else with a hint', () => {
    expect(loadConfig({ TIMEZONE: 'Europe/Rome' }).calendar.timeZone).toBe('Europe/Rome');
    expect(loadConfig({ TIMEZONE: 'US/Eastern' }).calendar.timeZone).toBe('US/Eastern');
    expect(loadConfig({ TIMEZONE: 'UTC' }).calendar.timeZone).toBe('UTC');
    expect(() => loadConfig({ TIMEZONE: 'Europe/Atlantis' })).toThrow(
      /TIMEZONE: use an IANA time zone like Europe\/Rome/,
    );
  });

  it('keeps the delivery lease well above the send timeout, and says which setting to change', () => {
    const defaults = loadConfig({});
    expect(defaults.env.DELIVERY_MAX_AGE_HOURS).toBe(48);
    expect(defaults.env.DELIVERY_LEASE_SECONDS).toBe(600);
    expect(() => loadConfig({ DELIVERY_LEASE_SECONDS: '100', DELIVERY_SEND_TIMEOUT_SECONDS: '60' })).toThrow(
      /DELIVERY_LEASE_SECONDS: must be at least 3 × DELIVERY_SEND_TIMEOUT_SECONDS \(180\)/,
    );
    expect(() => loadConfig({ DELIVERY_MAX_AGE_HOURS: '0' })).toThrow(/DELIVERY_MAX_AGE_HOURS/);
  });

  it('names a bad secret setting and its rule but never echoes its value', () => {
    const cases: Record<string, string> = {
      TELEGRAM_BOT_TOKEN: 'planted-bot-token-Zq81',
      TELEGRAM_WEBHOOK_SECRET: 'short-Zq82',
      API_TOKEN: 'Zq83short',
      APP_SECRET: 'Zq84short',
      DATABASE_URL: 'mysql://admin:Zq85password@db.example/helpdesk',
    };
    for (const [setting, value] of Object.entries(cases)) {
      const source = { TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUV', [setting]: value };
      let message = '';
      try {
        loadConfig(source);
      } catch (error) {
        message = (error as Error).message;
        expect(error).toMatchObject({ code: 'CONFIG_INVALID', setting });
      }
      expect(message).toMatch(new RegExp(`^${setting}: use `));
      expect(message).toContain('not shown');
      expect(message).not.toContain(value);
      expect(message).not.toMatch(/Zq8\d/);
    }
    // Settings that are not secret still show what was given, which helps to fix them.
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT: use a whole number \(got "eighty"\)/);
  });

  it('wants a Telegram webhook secret of 16 or more characters', () => {
    const base = { TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUV', PUBLIC_URL: 'https://help.example' };
    expect(() => loadConfig({ ...base, TELEGRAM_WEBHOOK_SECRET: 'a'.repeat(15) })).toThrow(
      /TELEGRAM_WEBHOOK_SECRET: use 16-256 random characters/,
    );
    const config = loadConfig({ ...base, TELEGRAM_WEBHOOK_SECRET: 'a'.repeat(16) });
    expect(config.telegram?.webhook?.secret).toBe('a'.repeat(16));
  });

  it('refuses extra closures that are not days of the calendar, naming the setting and the date', () => {
    expect(
      loadConfig({ EXTRA_CLOSURES: '2026-08-14, 2028-02-29,2026-12-24' }).calendar.extraClosures,
    ).toEqual(['2026-08-14', '2028-02-29', '2026-12-24']);
    for (const bad of ['2026-02-30', '2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00']) {
      const error = configError({ EXTRA_CLOSURES: `2026-08-14,${bad}` });
      expect(error.setting).toBe('EXTRA_CLOSURES');
      expect(error.message).toContain(`EXTRA_CLOSURES: "${bad}" is not a day of the calendar`);
    }
    const shape = configError({ EXTRA_CLOSURES: '14/08/2026' });
    expect(shape.setting).toBe('EXTRA_CLOSURES');
    expect(shape.message).toContain('use dates like 2026-08-14');
  });

  it('refuses business hours it cannot read, naming the setting', () => {
    expect(loadConfig({ BUSINESS_HOURS: '08:30-13:00, 14:00-17:30' }).calendar.hours).toEqual([
      { start: '08:30', end: '13:00' },
      { start: '14:00', end: '17:30' },
    ]);
    for (const bad of ['9-12', '09:00-12:00,11:00-13:00', '18:00-09:00', '24:00-25:00']) {
      const error = configError({ BUSINESS_HOURS: bad });
      expect(error.setting).toBe('BUSINESS_HOURS');
      expect(error.message).toContain('BUSINESS_HOURS');
    }
  });
});

describe('email settings of issue 18', () => {
  const EMAIL = {
    IMAP_HOST: 'imap.negozio.example',
    IMAP_USER: 'assistenza@negozio.example',
    IMAP_PASSWORD: 'segreto-imap',
    SMTP_HOST: 'smtp.negozio.example',
    MAIL_FROM: 'assistenza@negozio.example',
  };

  it('keys the staff TOTP secrets with APP_SECRET when set, else with DATA_DIR/totp.key', () => {
    expect(loadConfig({ ...EMAIL, DATA_DIR: '/srv/helpdesk' }).web?.totpKey).toEqual({
      keyFile: '/srv/helpdesk/totp.key',
    });
    const secret = 'un-segreto-lungo-abbastanza';
    expect(loadConfig({ ...EMAIL, DATA_DIR: '/srv/helpdesk', APP_SECRET: secret }).web?.totpKey).toEqual({
      appSecret: secret,
      keyFile: '/srv/helpdesk/totp.key',
    });
  });

  it('defaults: answer mail up to 24 h old, import from the first start, MAIL_FROM as the own list', () => {
    const email = loadConfig(EMAIL).email!;
    expect(email.ackMaxAgeHours).toBe(24);
    expect(email.importSince).toBeUndefined();
    expect(email.ownLists).toEqual([]);
  });

  it('reads MAIL_OWN_LISTS, IMAP_ACK_MAX_AGE_HOURS and IMAP_IMPORT_SINCE', () => {
    const email = loadConfig({
      ...EMAIL,
      MAIL_OWN_LISTS: ' Assistenza@Negozio.example , help@negozio.example',
      IMAP_ACK_MAX_AGE_HOURS: '48',
      IMAP_IMPORT_SINCE: '2026-11-01',
    }).email!;
    expect(email.ownLists).toEqual(['assistenza@negozio.example', 'help@negozio.example']);
    expect(email.ackMaxAgeHours).toBe(48);
    expect(email.importSince?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(
      loadConfig({
        ...EMAIL,
        IMAP_IMPORT_SINCE: '2026-11-01T08:00:00+01:00',
      }).email!.importSince?.toISOString(),
    ).toBe('2026-11-01T07:00:00.000Z');
  });

  it.each([
    ['IMAP_IMPORT_SINCE', '2026-02-30', /IMAP_IMPORT_SINCE: use a date that exists/],
    ['IMAP_IMPORT_SINCE', 'ieri', /IMAP_IMPORT_SINCE: use a date like 2026-11-01/],
    ['IMAP_ACK_MAX_AGE_HOURS', '-1', /IMAP_ACK_MAX_AGE_HOURS: use a number of at least 0/],
    ['IMAP_ACK_MAX_AGE_HOURS', 'un giorno', /IMAP_ACK_MAX_AGE_HOURS: use a whole number/],
    [
      'MAIL_OWN_LISTS',
      'assistenza@negozio.example,gruppo',
      /MAIL_OWN_LISTS: use addresses separated by commas.*"gruppo"/,
    ],
  ])('%s=%s stops the start naming the setting', (name, value, message) => {
    expect(() => loadConfig({ ...EMAIL, [name]: value })).toThrow(message);
  });

  it('a bad setting never echoes the IMAP password', () => {
    try {
      loadConfig({ ...EMAIL, IMAP_IMPORT_SINCE: 'ieri' });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('segreto-imap');
    }
    expect.assertions(1);
  });
});
