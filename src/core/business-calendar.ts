import { ConfigError } from './errors.js';
import { type HolidayPlace, publicHolidays } from './holidays.js';

/**
 * The business calendar of terms T2 and T6: Monday–Friday 09:00–12:00 and 15:00–18:00 in
 * Europe/Rome by default (admins change the days and hours at run time: settings.ts), minus Italian
 * public holidays and extra closures. Pure: no function reads the clock,
 * every instant is a parameter. Local dates are `YYYY-MM-DD`, local times `HH:MM` (24 h).
 */

export interface BusinessHoursRange {
  /** `HH:MM`, inclusive. */
  start: string;
  /** `HH:MM`, exclusive; later than `start` on the same day. */
  end: string;
}

export interface BusinessCalendarSettings {
  /** IANA time zone, e.g. `Europe/Rome`. */
  timeZone: string;
  /** The ranges of every working day, sorted and not overlapping (see {@link parseBusinessHours}). */
  hours: BusinessHoursRange[];
  /** ISO weekdays that are working days: 1 = Monday … 7 = Sunday. */
  workingDays: number[];
  /**
   * Working days whose ranges differ from `hours`, by ISO weekday (Saturday 09:00–12:00 only:
   * `{ 6: [{ start: '09:00', end: '12:00' }] }`). A weekday missing here opens in `hours`.
   */
  weekdayHours?: Partial<Record<number, BusinessHoursRange[]>>;
  /** Where public holidays come from (`HOLIDAYS_COUNTRY`, `HOLIDAYS_REGION`; see holidays.ts). */
  holidays: HolidayPlace;
  /**
   * Further closed dates, `YYYY-MM-DD`: `EXTRA_CLOSURES` and the closures staff add at run time
   * (closures.ts replaces this list when they change).
   */
  extraClosures: readonly string[];
}

export const DEFAULT_BUSINESS_CALENDAR: BusinessCalendarSettings = {
  timeZone: 'Europe/Rome',
  hours: [
    { start: '09:00', end: '12:00' },
    { start: '15:00', end: '18:00' },
  ],
  workingDays: [1, 2, 3, 4, 5],
  holidays: { country: 'IT' },
  extraClosures: [],
};

export interface ZonedDateTime {
  date: string;
  time: string;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;
const HOURS_FORMAT = 'expected HH:MM-HH:MM ranges separated by commas, e.g. "09:00-12:00,15:00-18:00"';

/** Parses a `BUSINESS_HOURS` setting such as `09:00-12:00,15:00-18:00` into sorted ranges. */
export function parseBusinessHours(spec: string): BusinessHoursRange[] {
  const fail = (why: string): never => {
    throw new ConfigError(
      'BUSINESS_HOURS',
      `BUSINESS_HOURS: invalid business hours "${spec}": ${why}; ${HOURS_FORMAT}`,
    );
  };
  if (spec.trim() === '') fail('empty');
  const ranges = spec.split(',').map((part) => {
    const [start = '', end = '', ...rest] = part.trim().split('-');
    if (rest.length > 0 || !TIME_PATTERN.test(start.trim()) || !TIME_PATTERN.test(end.trim())) {
      return fail(`"${part.trim()}" is not a range`);
    }
    const range = { start: start.trim(), end: end.trim() };
    if (range.start >= range.end) fail(`"${part.trim()}" ends before it starts`);
    return range;
  });
  ranges.sort((a, b) => a.start.localeCompare(b.start));
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.start < ranges[i - 1]!.end) fail('ranges overlap');
  }
  return ranges;
}

/** Local dates as UTC midnights: calendar arithmetic with no time zone involved. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function isoWeekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
}

/** A working weekday that is neither a public holiday nor a closure. */
export function isBusinessDay(
  date: string,
  settings: BusinessCalendarSettings = DEFAULT_BUSINESS_CALENDAR,
): boolean {
  if (!settings.workingDays.includes(isoWeekday(date))) return false;
  if (settings.extraClosures.includes(date)) return false;
  return !publicHolidays(Number(date.slice(0, 4)), settings.holidays).has(date);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at an instant, in ms, read from Intl (whole seconds). */
function exactOffsetMs(instant: number, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const p: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}

const OFFSET_SPAN_MS = 15 * 60_000;
const offsets = new Map<string, number>();

/**
 * The zone's wall clock at an instant, as epoch milliseconds of the same wall clock read as UTC.
 * Intl's formatToParts is slow and every new ticket needs dozens of these, so offsets are kept per
 * 15-minute span; a span whose two ends disagree holds a DST change and is computed exactly.
 */
function wallClockMs(instant: number, timeZone: string): number {
  const span = Math.floor(instant / OFFSET_SPAN_MS);
  const key = `${timeZone}|${span}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const first = exactOffsetMs(span * OFFSET_SPAN_MS, timeZone);
    const last = exactOffsetMs((span + 1) * OFFSET_SPAN_MS - 1, timeZone);
    if (first !== last) return instant + exactOffsetMs(instant, timeZone);
    if (offsets.size >= 10_000) offsets.clear();
    offsets.set(key, first);
    offset = first;
  }
  return instant + offset;
}

/** The local date, time (seconds dropped) and ISO weekday of an instant in a time zone. */
export function instantToZoned(instant: Date, timeZone: string): ZonedDateTime {
  const iso = new Date(wallClockMs(instant.getTime(), timeZone)).toISOString();
  const date = iso.slice(0, 10);
  return { date, time: iso.slice(11, 16), weekday: isoWeekday(date) };
}

/**
 * The instant at which the zone's clocks show `date` `time`. A wall time that happens twice (clocks
 * going back) gives the earlier instant; one that does not exist (clocks going forward) is read
 * with the offset before the change, so 02:30 on the spring-forward night in Rome gives 03:30 CEST.
 */
export function zonedTimeToInstant(date: string, time: string, timeZone: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !TIME_PATTERN.test(time)) {
    throw new RangeError(`expected date YYYY-MM-DD and time HH:MM, got "${date}" "${time}"`);
  }
  const wall = Date.parse(`${date}T${time}:00Z`);
  const offsetBefore = wallClockMs(wall - DAY_MS, timeZone) - (wall - DAY_MS);
  const offsetAfter = wallClockMs(wall + DAY_MS, timeZone) - (wall + DAY_MS);
  const candidates = [wall - offsetBefore, wall - offsetAfter].filter(
    (t) => wallClockMs(t, timeZone) === wall,
  );
  return new Date(candidates.length > 0 ? Math.min(...candidates) : wall - offsetBefore);
}

/** The business-hours ranges of a local date as instants; none when it is not a business day. */
export function businessRangesOn(
  date: string,
  settings: BusinessCalendarSettings = DEFAULT_BUSINESS_CALENDAR,
): Array<{ start: Date; end: Date }> {
  if (!isBusinessDay(date, settings)) return [];
  const hours = settings.weekdayHours?.[isoWeekday(date)] ?? settings.hours;
  return hours.map((r) => ({
    start: zonedTimeToInstant(date, r.start, settings.timeZone),
    end: zonedTimeToInstant(date, r.end, settings.timeZone),
  }));
}

/**
 * Whole minutes of business hours between two instants (0 when `to` is not after `from`). Walks
 * one local date per day of the span: callers pass short spans (a time entry, ≤ 24 h).
 */
export function businessMinutesBetween(
  from: Date,
  to: Date,
  settings: BusinessCalendarSettings = DEFAULT_BUSINESS_CALENDAR,
): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  // Counted, not compared as text: past 9999-12-31 dates stop sorting as text (issue: a stored
  // year-9999 entry walked forever). The local dates the span touches are at most its days + 2.
  const days = Math.ceil((b - a) / DAY_MS) + 1;
  let ms = 0;
  let date = instantToZoned(from, settings.timeZone).date;
  // Past 9999-12-31 a date is no longer YYYY-MM-DD and has no business hours to count.
  for (let i = 0; i <= days && /^\d{4}-/.test(date); i++, date = addDays(date, 1)) {
    for (const r of businessRangesOn(date, settings)) {
      ms += Math.max(0, Math.min(b, r.end.getTime()) - Math.max(a, r.start.getTime()));
    }
  }
  return Math.floor(ms / MINUTE_MS);
}
