import { describe, expect, it } from 'vitest';
import {
  addDays,
  type BusinessCalendarSettings,
  businessRangesOn,
  DEFAULT_BUSINESS_CALENDAR,
  instantToZoned,
  isBusinessDay,
  parseBusinessHours,
  zonedTimeToInstant,
} from '../../src/core/business-calendar.js';
import {
  addBusinessMinutes,
  businessMinutesPerDay,
  closeOfWholeBusinessDays,
  firstContactDeadline,
  isOpen,
  nextOpening,
  subtractBusinessMinutes,
} from '../../src/core/business-time.js';

const cal = DEFAULT_BUSINESS_CALENDAR;
/** Winter (CET, +01:00) and summer (CEST, +02:00) local times in Rome, written out by hand. */
const cet = (date: string, time: string) => new Date(`${date}T${time}:00+01:00`);
const cest = (date: string, time: string) => new Date(`${date}T${time}:00+02:00`);

describe('isOpen and nextOpening', () => {
  it('opens at 09:00 and 15:00 local, closes at 12:00 and 18:00', () => {
    expect(isOpen(cet('2026-12-01', '11:59'), cal)).toBe(true);
    expect(isOpen(cet('2026-12-01', '12:00'), cal)).toBe(false);
    expect(nextOpening(cet('2026-12-01', '10:15'), cal)).toEqual(cet('2026-12-01', '10:15'));
    expect(nextOpening(cet('2026-12-01', '12:00'), cal)).toEqual(cet('2026-12-01', '15:00'));
    expect(nextOpening(cet('2026-12-04', '18:00'), cal)).toEqual(cet('2026-12-07', '09:00')); // Friday → Monday
    expect(nextOpening(cet('2026-12-07', '20:00'), cal)).toEqual(cet('2026-12-09', '09:00')); // 8 Dec holiday
  });

  it('opens at 09:00 and 15:00 local time on both daylight-saving weekends', () => {
    // Clocks go forward on Sunday 29 March 2026, back on Sunday 25 October 2026.
    expect(nextOpening(cet('2026-03-27', '18:30'), cal).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(nextOpening(cest('2026-03-30', '12:10'), cal).toISOString()).toBe('2026-03-30T13:00:00.000Z');
    expect(nextOpening(cest('2026-10-23', '18:30'), cal).toISOString()).toBe('2026-10-26T08:00:00.000Z');
    expect(nextOpening(cet('2026-10-26', '12:10'), cal).toISOString()).toBe('2026-10-26T14:00:00.000Z');
    expect(isOpen(new Date('2026-03-30T13:00:00Z'), cal)).toBe(true); // 15:00 CEST
    expect(isOpen(new Date('2026-10-26T13:00:00Z'), cal)).toBe(false); // 14:00 CET
  });

  it('skips closures and refuses a calendar that never opens', () => {
    const closed = { ...cal, extraClosures: ['2026-12-02'] };
    expect(nextOpening(cet('2026-12-01', '18:00'), closed)).toEqual(cet('2026-12-03', '09:00'));
    expect(() => nextOpening(cet('2026-12-01', '18:00'), { ...cal, workingDays: [] })).toThrow(
      /no open time/,
    );
  });
});

describe('addBusinessMinutes and subtractBusinessMinutes', () => {
  it('counts only open time, ending a range exactly at its close', () => {
    expect(addBusinessMinutes(cet('2026-12-01', '10:00'), 120, cal)).toEqual(cet('2026-12-01', '12:00'));
    expect(addBusinessMinutes(cet('2026-12-01', '10:00'), 121, cal)).toEqual(cet('2026-12-01', '15:01'));
    expect(addBusinessMinutes(cet('2026-12-01', '13:00'), 30, cal)).toEqual(cet('2026-12-01', '15:30'));
    expect(addBusinessMinutes(cet('2026-12-01', '13:00'), 0, cal)).toEqual(cet('2026-12-01', '13:00'));
    expect(() => addBusinessMinutes(cet('2026-12-01', '13:00'), -1, cal)).toThrow(RangeError);
  });

  it('goes back to an open instant, a range start when used up exactly', () => {
    expect(subtractBusinessMinutes(cet('2026-12-03', '16:30'), 120, cal)).toEqual(cet('2026-12-03', '11:30'));
    expect(subtractBusinessMinutes(cet('2026-12-03', '17:00'), 120, cal)).toEqual(cet('2026-12-03', '15:00'));
    expect(subtractBusinessMinutes(cet('2026-12-03', '16:30'), 360, cal)).toEqual(cet('2026-12-02', '16:30'));
    expect(subtractBusinessMinutes(cet('2026-12-07', '09:30'), 60, cal)).toEqual(cet('2026-12-04', '17:30'));
  });

  it('adds across both daylight-saving weekends in local time', () => {
    // Friday 27 March 17:00 CET + 2 h → Monday 30 March 10:00 CEST.
    expect(addBusinessMinutes(cet('2026-03-27', '17:00'), 120, cal).toISOString()).toBe(
      '2026-03-30T08:00:00.000Z',
    );
    // Friday 23 October 17:00 CEST + 2 h → Monday 26 October 10:00 CET.
    expect(addBusinessMinutes(cest('2026-10-23', '17:00'), 120, cal).toISOString()).toBe(
      '2026-10-26T09:00:00.000Z',
    );
    expect(subtractBusinessMinutes(new Date('2026-10-26T09:00:00Z'), 120, cal).toISOString()).toBe(
      '2026-10-23T15:00:00.000Z',
    );
  });
});

/** The first business day after a local date. */
function nextBusinessDay(after: string, settings: BusinessCalendarSettings): string {
  let date = addDays(after, 1);
  while (!isBusinessDay(date, settings)) date = addDays(date, 1);
  return date;
}

/**
 * The rule before #23: the close of the second business day, the arrival day counting only when
 * the ticket arrived before its opening.
 */
function oldRule(start: Date): Date {
  const { date } = instantToZoned(start, cal.timeZone);
  const ranges = businessRangesOn(date, cal);
  const whole = ranges.length > 0 && start.getTime() <= ranges[0]!.start.getTime();
  const first = whole ? date : nextBusinessDay(date, cal);
  return zonedTimeToInstant(nextBusinessDay(first, cal), '18:00', cal.timeZone);
}

describe('firstContactDeadline (T2: 2 business days = 12 business hours)', () => {
  const due = (start: Date, settings = cal) => firstContactDeadline(start, settings).toISOString();

  it('follows the examples of the README', () => {
    expect(businessMinutesPerDay(cal)).toBe(360);
    expect(due(cet('2026-12-01', '16:30'))).toBe(cet('2026-12-03', '16:30').toISOString()); // Tue → Thu
    expect(due(cet('2026-11-27', '17:30'))).toBe(cet('2026-12-01', '17:30').toISOString()); // Fri → Tue
    expect(due(cet('2026-11-30', '11:30'))).toBe(cet('2026-12-02', '11:30').toISOString()); // Mon → Wed
  });

  it('counts from the next opening after hours, on a weekend or a holiday', () => {
    // Monday 20:00 → counts from Tuesday 09:00 → Wednesday 18:00.
    expect(due(cet('2026-11-30', '20:00'))).toBe(cet('2026-12-02', '18:00').toISOString());
    // Saturday 5 December → Monday 09:00; Tuesday 8 is a holiday → Wednesday 9, 18:00.
    expect(due(cet('2026-12-05', '10:00'))).toBe(cet('2026-12-09', '18:00').toISOString());
    // Holiday 8 December (Tuesday): counts from Wednesday 09:00 → Thursday 18:00.
    expect(due(cet('2026-12-08', '10:00'))).toBe(cet('2026-12-10', '18:00').toISOString());
    // Holiday eve: Monday 7 December 16:00 → 2 h Mon, 6 h Wed, 4 h Thu → Thursday 16:00.
    expect(due(cet('2026-12-07', '16:00'))).toBe(cet('2026-12-10', '16:00').toISOString());
  });

  it('is 24 December: Christmas and Saint Stephen skipped', () => {
    // Thursday 24 Dec 10:00: 5 h that day, then Mon 28 (6 h), Tue 29 10:00.
    expect(due(cet('2026-12-24', '10:00'))).toBe(cet('2026-12-29', '10:00').toISOString());
  });

  it('is never later than the close of the second whole business day (the old rule)', () => {
    for (let minute = 0; minute < 7 * 24 * 60; minute += 37) {
      const start = new Date(cet('2026-11-30', '00:00').getTime() + minute * 60_000);
      expect(firstContactDeadline(start, cal).getTime()).toBeLessThanOrEqual(oldRule(start).getTime());
    }
  });

  it('moves with a closure and with other opening hours', () => {
    const closed = { ...cal, extraClosures: ['2026-12-02'] };
    expect(due(cet('2026-12-01', '16:30'), closed)).toBe(cet('2026-12-04', '16:30').toISOString());
    const long = { ...cal, hours: parseBusinessHours('08:30-17:30') };
    expect(due(cet('2026-12-01', '16:30'), long)).toBe(cet('2026-12-03', '16:30').toISOString());
  });

  it('skips a working day taken out of the week, and opens a Saturday morning', () => {
    // Wednesday off: Tuesday 16:30 → 1.5 h Tue, 6 h Thu, 4.5 h Fri → Friday 16:30.
    const noWednesday = { ...cal, workingDays: [1, 2, 4, 5] };
    expect(due(cet('2026-12-01', '16:30'), noWednesday)).toBe(cet('2026-12-04', '16:30').toISOString());
    const saturday = {
      ...cal,
      workingDays: [1, 2, 3, 4, 5, 6],
      weekdayHours: { 6: parseBusinessHours('09:00-12:00') },
    };
    expect(businessRangesOn('2026-12-05', saturday).map((r) => r.end)).toEqual([cet('2026-12-05', '12:00')]);
    expect(isOpen(cet('2026-12-05', '15:30'), saturday)).toBe(false);
    // Friday 17:30 → 0.5 h Fri, 3 h Sat, 6 h Mon: 12 business hours would end Tuesday 11:00, later
    // than the close of the second whole business day (Monday 18:00), which is then the deadline.
    expect(due(cet('2026-11-27', '17:30'), saturday)).toBe(cet('2026-11-30', '18:00').toISOString());
    expect(closeOfWholeBusinessDays(cet('2026-11-27', '17:30'), 2, saturday)).toEqual(
      cet('2026-11-30', '18:00'),
    );
    // Thursday 10:00: 5 h Thu, 6 h Fri, 1 h Sat → Saturday 10:00, before the close of Saturday.
    expect(due(cet('2026-11-26', '10:00'), saturday)).toBe(cet('2026-11-28', '10:00').toISOString());
  });

  it('crosses the March and October weekends at the same local time', () => {
    expect(due(cet('2026-03-27', '16:30'))).toBe(cest('2026-03-31', '16:30').toISOString());
    expect(due(cest('2026-10-23', '16:30'))).toBe(cet('2026-10-27', '16:30').toISOString());
  });
});
