import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

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
});

describe('email settings of issue 18', () => {
  const EMAIL = {
    IMAP_HOST: 'imap.negozio.example',
    IMAP_USER: 'assistenza@negozio.example',
    IMAP_PASSWORD: 'segreto-imap',
    SMTP_HOST: 'smtp.negozio.example',
    MAIL_FROM: 'assistenza@negozio.example',
  };

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
