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
});
