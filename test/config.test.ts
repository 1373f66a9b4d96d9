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
