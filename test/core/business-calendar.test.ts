import { describe, expect, it } from 'vitest';
import {
  businessMinutesBetween,
  DEFAULT_BUSINESS_CALENDAR,
  instantToZoned,
  isBusinessDay,
  parseBusinessHours,
  zonedTimeToInstant,
} from '../../src/core/business-calendar.js';
import { isOpen } from '../../src/core/business-time.js';
import { ConfigError } from '../../src/core/errors.js';
import { holidayPlaceOf, publicHolidays } from '../../src/core/holidays.js';

const cal = DEFAULT_BUSINESS_CALENDAR;
/** Winter (CET, +01:00) and summer (CEST, +02:00) local times in Rome, written out by hand. */
const cet = (date: string, time: string) => new Date(`${date}T${time}:00+01:00`);
const cest = (date: string, time: string) => new Date(`${date}T${time}:00+02:00`);

describe('parseBusinessHours', () => {
  it('parses the default setting and sorts ranges', () => {
    expect(parseBusinessHours('09:00-12:00,15:00-18:00')).toEqual(cal.hours);
    expect(parseBusinessHours(' 15:00-18:00 , 09:00-12:00 ')).toEqual(cal.hours);
    expect(parseBusinessHours('08:30-17:30')).toEqual([{ start: '08:30', end: '17:30' }]);
  });

  it.each([
    '',
    '9-12',
    '09:00-12:00;15:00-18:00',
    '09:00-12:00,',
    '25:00-26:00',
    '09:60-10:00',
    '12:00-09:00',
    '09:00-09:00',
    '09:00-12:00,11:00-13:00',
    '09:00-12:00-13:00',
  ])('rejects %j and says the expected format', (spec) => {
    expect(() => parseBusinessHours(spec)).toThrow(ConfigError);
    expect(() => parseBusinessHours(spec)).toThrow(/HH:MM-HH:MM.*09:00-12:00,15:00-18:00/);
  });
});

describe('holidays (date-holidays)', () => {
  it.each([['2024-04-01'], ['2025-04-21'], ['2026-04-06'], ['2027-03-29'], ['2038-04-26']])(
    'Easter Monday %s is a holiday',
    (monday) => {
      expect(isBusinessDay(monday, cal)).toBe(false);
    },
  );

  it('lists the national holidays, with 4 October from 2026', () => {
    expect([...publicHolidays(2025, { country: 'IT' })].sort()).toEqual([
      '2025-01-01',
      '2025-01-06',
      '2025-04-20', // Easter Sunday: a Sunday, listed by the library
      '2025-04-21',
      '2025-04-25',
      '2025-05-01',
      '2025-06-02',
      '2025-08-15',
      '2025-11-01',
      '2025-12-08',
      '2025-12-25',
      '2025-12-26',
    ]);
    expect(publicHolidays(2026, { country: 'IT' }).has('2026-10-04')).toBe(true);
    expect(isBusinessDay('2027-10-04', cal)).toBe(false); // a Monday
  });

  it("adds a region's patron day (HOLIDAYS_REGION 62/RM: Rome, 29 June) and not elsewhere", () => {
    const rome = { ...cal, holidays: { country: 'IT', state: '62', region: 'RM' } };
    expect(isBusinessDay('2026-06-29', rome)).toBe(false);
    expect(isBusinessDay('2026-06-29', cal)).toBe(true);
    // Observances (Mother's Day, a Sunday anyway) and 24 December are not public holidays.
    expect(isBusinessDay('2026-12-24', cal)).toBe(true);
  });

  it('checks the settings against the library', () => {
    expect(holidayPlaceOf('IT', '62/RM')).toEqual({ country: 'IT', state: '62', region: 'RM' });
    expect(holidayPlaceOf('IT', undefined)).toEqual({ country: 'IT' });
    expect(holidayPlaceOf('IT', '99')).toMatch(/unknown state "99" of IT; known: .*62/);
    expect(holidayPlaceOf('IT', '62/XX')).toMatch(/unknown region "XX"/);
    expect(holidayPlaceOf('QQ', undefined)).toMatch(/unknown country/);
    expect(holidayPlaceOf('none', '62')).toEqual({ country: 'none' });
  });

  it('knows business days, weekends, closures and the "none" country', () => {
    expect(isBusinessDay('2026-01-12', cal)).toBe(true); // Monday
    expect(isBusinessDay('2026-01-17', cal)).toBe(false); // Saturday
    expect(isBusinessDay('2026-12-25', cal)).toBe(false);
    expect(isBusinessDay('2026-01-13', { ...cal, extraClosures: ['2026-01-13'] })).toBe(false);
    expect(isBusinessDay('2026-12-25', { ...cal, holidays: { country: 'none' } })).toBe(true);
    expect(isBusinessDay('2026-01-17', { ...cal, workingDays: [1, 2, 3, 4, 5, 6] })).toBe(true);
  });
});

describe('time zone conversion', () => {
  it('round-trips winter and summer wall times', () => {
    expect(zonedTimeToInstant('2026-01-12', '09:00', 'Europe/Rome').toISOString()).toBe(
      '2026-01-12T08:00:00.000Z',
    );
    expect(zonedTimeToInstant('2026-07-01', '18:00', 'Europe/Rome').toISOString()).toBe(
      '2026-07-01T16:00:00.000Z',
    );
    expect(instantToZoned(new Date('2026-07-01T16:00:00Z'), 'Europe/Rome')).toEqual({
      date: '2026-07-01',
      time: '18:00',
      weekday: 3,
    });
    expect(instantToZoned(new Date('2026-01-17T23:30:00Z'), 'Europe/Rome')).toEqual({
      date: '2026-01-18',
      time: '00:30',
      weekday: 7,
    });
  });

  it('handles the DST gap and overlap', () => {
    // 29 Mar 2026: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist and reads as 03:30 CEST.
    expect(zonedTimeToInstant('2026-03-29', '02:30', 'Europe/Rome').toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(zonedTimeToInstant('2026-03-29', '01:59', 'Europe/Rome').toISOString()).toBe(
      '2026-03-29T00:59:00.000Z',
    );
    expect(zonedTimeToInstant('2026-03-29', '03:00', 'Europe/Rome').toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    // 25 Oct 2026: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice, the earlier is taken.
    expect(zonedTimeToInstant('2026-10-25', '02:30', 'Europe/Rome').toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    expect(zonedTimeToInstant('2026-10-25', '03:00', 'Europe/Rome').toISOString()).toBe(
      '2026-10-25T02:00:00.000Z',
    );
    expect(instantToZoned(new Date('2026-10-25T01:30:00Z'), 'Europe/Rome').time).toBe('02:30');
  });

  it('works in other zones and rejects bad input', () => {
    expect(zonedTimeToInstant('2026-03-08', '09:00', 'America/New_York').toISOString()).toBe(
      '2026-03-08T13:00:00.000Z',
    );
    expect(zonedTimeToInstant('2026-01-12', '09:00', 'Asia/Kathmandu').toISOString()).toBe(
      '2026-01-12T03:15:00.000Z',
    );
    expect(() => zonedTimeToInstant('2026-1-12', '09:00', 'Europe/Rome')).toThrow(RangeError);
    expect(() => zonedTimeToInstant('2026-01-12', '9:00', 'Europe/Rome')).toThrow(RangeError);
    expect(() => zonedTimeToInstant('2026-01-12', '09:00', 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('isOpen', () => {
  it.each([
    ['08:59', false],
    ['09:00', true],
    ['11:59', true],
    ['12:00', false],
    ['14:59', false],
    ['15:00', true],
    ['17:59', true],
    ['18:00', false],
  ])('Monday %s → %s', (time, expected) => {
    expect(isOpen(cet('2026-01-12', time), cal)).toBe(expected);
    expect(isOpen(cest('2026-07-06', time), cal)).toBe(expected);
  });

  it('is closed on weekends and holidays, and uses seconds', () => {
    expect(isOpen(cet('2026-01-17', '10:00'), cal)).toBe(false);
    expect(isOpen(cet('2026-12-08', '10:00'), cal)).toBe(false);
    expect(isOpen(new Date('2026-01-12T11:59:59.999+01:00'), cal)).toBe(true);
  });
});

describe('businessMinutesBetween', () => {
  it('counts only minutes inside business hours', () => {
    expect(businessMinutesBetween(cet('2026-01-12', '10:00'), cet('2026-01-12', '11:30'), cal)).toBe(90);
    expect(businessMinutesBetween(cet('2026-01-12', '11:00'), cet('2026-01-12', '16:00'), cal)).toBe(120);
    expect(businessMinutesBetween(cet('2026-01-12', '10:00'), cet('2026-01-13', '10:00'), cal)).toBe(360);
    expect(businessMinutesBetween(cet('2026-01-16', '17:00'), cet('2026-01-19', '10:00'), cal)).toBe(120);
    expect(businessMinutesBetween(cet('2026-12-24', '17:00'), cet('2026-12-28', '09:30'), cal)).toBe(90);
    expect(businessMinutesBetween(cet('2026-01-12', '12:00'), cet('2026-01-12', '15:00'), cal)).toBe(0);
    expect(businessMinutesBetween(cet('2026-01-13', '10:00'), cet('2026-01-12', '10:00'), cal)).toBe(0);
  });

  it('is not fooled by DST weekends', () => {
    expect(businessMinutesBetween(cet('2026-03-27', '17:00'), cest('2026-03-30', '10:00'), cal)).toBe(120);
    expect(businessMinutesBetween(cest('2026-10-23', '17:00'), cet('2026-10-26', '10:00'), cal)).toBe(120);
  });
});
