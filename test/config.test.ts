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

  it('keeps the delivery lease well above the send timeout, and says which setting to change', () => {
    const defaults = loadConfig({});
    expect(defaults.env.DELIVERY_MAX_AGE_HOURS).toBe(48);
    expect(defaults.env.DELIVERY_LEASE_SECONDS).toBe(600);
    expect(() => loadConfig({ DELIVERY_LEASE_SECONDS: '100', DELIVERY_SEND_TIMEOUT_SECONDS: '60' })).toThrow(
      /DELIVERY_LEASE_SECONDS: must be at least 3 × DELIVERY_SEND_TIMEOUT_SECONDS \(180\)/,
    );
    expect(() => loadConfig({ DELIVERY_MAX_AGE_HOURS: '0' })).toThrow(/DELIVERY_MAX_AGE_HOURS/);
  });
});
