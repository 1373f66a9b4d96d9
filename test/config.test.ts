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
