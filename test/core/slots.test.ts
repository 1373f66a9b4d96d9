import { describe, expect, it } from 'vitest';
import {
  businessMinutesBetween,
  DEFAULT_BUSINESS_CALENDAR,
  instantToZoned,
  isBusinessDay,
} from '../../src/core/business-calendar.js';
import { isOpen } from '../../src/core/business-time.js';
import { type Interval, proposeSlots } from '../../src/core/slots.js';
import { formatSlot, slotList } from '../../src/templates/slots.js';

const cal = DEFAULT_BUSINESS_CALENDAR;
const cet = (date: string, time: string) => new Date(`${date}T${time}:00+01:00`);
const cest = (date: string, time: string) => new Date(`${date}T${time}:00+02:00`);
/** Slots as local text, to read the rules at a glance. */
const local = (slots: Interval[]) =>
  slots.map((s) => {
    const a = instantToZoned(s.start, cal.timeZone);
    return `${a.date} ${a.time}-${instantToZoned(s.end, cal.timeZone).time}`;
  });

describe('proposeSlots', () => {
  it('gives three one-hour slots on different half-days after two business hours of notice', () => {
    // Tuesday 1 December 10:00 + 2 business hours = 12:00 → first start 15:00.
    expect(local(proposeSlots({ now: cet('2026-12-01', '10:00') }, cal))).toEqual([
      '2026-12-01 15:00-16:00',
      '2026-12-02 09:00-10:00',
      '2026-12-02 15:00-16:00',
    ]);
  });

  it('never crosses the lunch break: 11:30 with 60 minutes does not fit, 11:00 does', () => {
    const slots = proposeSlots(
      { now: cet('2026-12-01', '09:30'), minNoticeBusinessMinutes: 120, count: 2 },
      cal,
    );
    expect(local(slots)).toEqual(['2026-12-01 15:00-16:00', '2026-12-02 09:00-10:00']);
    const fits = proposeSlots(
      { now: cet('2026-12-01', '09:00'), minNoticeBusinessMinutes: 120, count: 1 },
      cal,
    );
    expect(local(fits)).toEqual(['2026-12-01 11:00-12:00']);
  });

  it('counts the grid from each opening, not from midnight', () => {
    const shifted = {
      ...cal,
      hours: [
        { start: '08:45', end: '12:15' },
        { start: '14:45', end: '18:15' },
      ],
    };
    const slots = proposeSlots(
      { now: cet('2026-12-01', '08:00'), minNoticeBusinessMinutes: 60, count: 2 },
      shifted,
    );
    expect(slots.map((s) => instantToZoned(s.start, cal.timeZone).time)).toEqual(['09:45', '14:45']);
  });

  it('counts the notice in business time: Friday 17:30 gives Monday morning', () => {
    expect(local(proposeSlots({ now: cet('2026-12-04', '17:30'), count: 1 }, cal))).toEqual([
      '2026-12-07 10:30-11:30',
    ]);
  });

  it('keeps afternoon slots at 15:00 local on the March and October weekends', () => {
    // Friday 16:00 + 2 business hours = Friday 18:00: the first slot is Monday's opening.
    const march = proposeSlots({ now: cet('2026-03-27', '16:00'), count: 3 }, cal);
    expect(march.map((s) => s.start.toISOString())).toEqual([
      cest('2026-03-30', '09:00').toISOString(),
      cest('2026-03-30', '15:00').toISOString(),
      cest('2026-03-31', '09:00').toISOString(),
    ]);
    expect(march[1]!.start.toISOString()).toBe('2026-03-30T13:00:00.000Z');
    const october = proposeSlots({ now: cest('2026-10-23', '16:00'), count: 3 }, cal);
    expect(october[1]!.start.toISOString()).toBe('2026-10-26T14:00:00.000Z'); // 15:00 CET
  });

  it('skips holidays, 24 December stays a working day, closures are skipped', () => {
    expect(local(proposeSlots({ now: cet('2026-12-23', '17:00'), count: 3 }, cal))).toEqual([
      '2026-12-24 10:00-11:00',
      '2026-12-24 15:00-16:00',
      '2026-12-28 09:00-10:00',
    ]);
    const closed = { ...cal, extraClosures: ['2026-12-24'] };
    // The notice skips the closed day too: 1 h on Wednesday, 1 h on Monday 28.
    expect(local(proposeSlots({ now: cet('2026-12-23', '17:00'), count: 1 }, closed))).toEqual([
      '2026-12-28 10:00-11:00',
    ]);
  });

  it("avoids the technician's appointments and offered slots, with travel time around on-site ones", () => {
    const busy = [{ start: cet('2026-12-01', '15:00'), end: cet('2026-12-01', '16:00') }];
    expect(local(proposeSlots({ now: cet('2026-12-01', '10:00'), busy, count: 1 }, cal))).toEqual([
      '2026-12-01 16:00-17:00',
    ]);
    expect(
      local(proposeSlots({ now: cet('2026-12-01', '10:00'), busy, count: 1, bufferMinutes: 30 }, cal)),
    ).toEqual(['2026-12-01 16:30-17:30']);
  });

  it('never proposes a slot outside business hours over a long stretch across DST and Easter', () => {
    const slots = proposeSlots(
      { now: cet('2026-03-20', '00:00'), durationMinutes: 90, count: 200, horizonDays: 400 },
      cal,
    );
    expect(slots).toHaveLength(200);
    for (const { start, end } of slots) {
      const s = instantToZoned(start, cal.timeZone);
      const last = new Date(end.getTime() - 1);
      expect(isBusinessDay(s.date, cal)).toBe(true);
      expect(['00', '30']).toContain(s.time.slice(3));
      expect(instantToZoned(last, cal.timeZone).date).toBe(s.date);
      expect(isOpen(start, cal) && isOpen(last, cal)).toBe(true);
      expect(businessMinutesBetween(start, end, cal)).toBe(90);
    }
    expect(slots.some((s) => instantToZoned(s.start, cal.timeZone).date === '2026-04-06')).toBe(false);
  });

  it('returns fewer when nothing fits, and rejects a bad request', () => {
    expect(proposeSlots({ now: cet('2026-12-01', '10:00'), durationMinutes: 240 }, cal)).toEqual([]);
    expect(() => proposeSlots({ now: cet('2026-12-01', '10:00'), durationMinutes: 0 }, cal)).toThrow(
      RangeError,
    );
  });
});

describe('formatSlot', () => {
  it('reads as the customer expects, Italian first', () => {
    const slot = { start: cet('2026-12-01', '15:00'), end: cet('2026-12-01', '16:00') };
    expect(formatSlot(slot, 'it', 'Europe/Rome')).toBe('martedì 1 dicembre, 15:00–16:00');
    expect(formatSlot(slot, 'en', 'Europe/Rome')).toBe('Tuesday 1 December, 15:00–16:00');
    expect(slotList([slot, slot], 'it', 'Europe/Rome')).toBe(
      '1) martedì 1 dicembre, 15:00–16:00\n2) martedì 1 dicembre, 15:00–16:00',
    );
  });
});
