import {
  addDays,
  type BusinessCalendarSettings,
  businessRangesOn,
  DEFAULT_BUSINESS_CALENDAR,
  instantToZoned,
} from './business-calendar.js';

/**
 * Business-time arithmetic on the calendar of T2/T6: instants in, instants out, every rule in the
 * zone's local time (so 09:00 is 09:00 on both sides of a daylight-saving change). Pure; the
 * caller passes the clock's reading. Why business time and not whole days: docs/business-time.md.
 */

const MINUTE_MS = 60_000;
/** How many days the walks look ahead or back before deciding the calendar has no open time. */
const MAX_SEARCH_DAYS = 3_660;

type Range = { start: number; end: number };

function rangesOn(date: string, settings: BusinessCalendarSettings): Range[] {
  return businessRangesOn(date, settings).map((r) => ({ start: r.start.getTime(), end: r.end.getTime() }));
}

/**
 * The business ranges day by day from the local date of `instant`: forward (`step` 1, earliest
 * first) or backward (-1, latest first). Throws after {@link MAX_SEARCH_DAYS} days: a calendar with
 * no open time in ten years is a misconfiguration.
 */
function* rangesWalk(instant: Date, settings: BusinessCalendarSettings, step: 1 | -1): Generator<Range> {
  let date = instantToZoned(instant, settings.timeZone).date;
  for (let i = 0; i <= MAX_SEARCH_DAYS; i++, date = addDays(date, step)) {
    const ranges = rangesOn(date, settings);
    yield* step === 1 ? ranges : ranges.reverse();
  }
  throw new Error(
    `business calendar has no open time in the ${MAX_SEARCH_DAYS} days ${step === 1 ? 'after' : 'before'} ${instant.toISOString()}`,
  );
}

/** True while the business is open: inside a range of a business day (start inclusive, end exclusive). */
export function isOpen(
  instant: Date,
  settings: BusinessCalendarSettings = DEFAULT_BUSINESS_CALENDAR,
): boolean {
  const t = instant.getTime();
  return rangesOn(instantToZoned(instant, settings.timeZone).date, settings).some(
    (r) => r.start <= t && t < r.end,
  );
}

/**
 * The first instant at or after `instant` at which the business is open: `instant` itself while
 * open, else the start of the next range (12:30 → 15:00; Friday 19:00 → Monday 09:00).
 * Throws when the calendar has no open time in ten years (a misconfiguration).
 */
export function nextOpening(
  instant: Date,
  settings: BusinessCalendarSettings = DEFAULT_BUSINESS_CALENDAR,
): Date {
  const t = instant.getTime();
  for (const r of rangesWalk(instant, settings, 1)) {
    if (t < r.end) return new Date(Math.max(t, r.start));
  }
  throw new Error('unreachable: rangesWalk throws when it runs out');
}

/**
 * The instant at which `minutes` of business time have passed since `start`. Time outside business
 * hours does not count, so a start at 20:00 or on a holiday counts from the next opening. A result
 * that uses up a range exactly is that range's end (a 10:00 start plus 120 minutes is 12:00, not
 * 15:00). `minutes` = 0 returns `start`. Throws RangeError for a negative or fractional count.
 */
export function addBusinessMinutes(
  start: Date,
  minutes: number,
  settings: BusinessCalendarSettings = DEFAULT_BUSINESS_CALENDAR,
): Date {
  if (!Number.isInteger(minutes) || minutes < 0)
    throw new RangeError(`minutes must be a whole number ≥ 0, got ${minutes}`);
  let left = minutes * MINUTE_MS;
  if (left === 0) return start;
  const t = start.getTime();
  for (const r of rangesWalk(start, settings, 1)) {
    if (r.end <= t) continue;
    const from = Math.max(t, r.start);
    if (r.end - from >= left) return new Date(from + left);
    left -= r.end - from;
  }
  throw new Error('unreachable: rangesWalk throws when it runs out');
}

/**
 * The instant `minutes` of business time before `end`: the mirror of {@link addBusinessMinutes}.
 * A result that uses up a range exactly is that range's start (so it is an open instant): a
 * reminder two business hours before Thursday 16:30 is Thursday 11:30.
 */
export function subtractBusinessMinutes(
  end: Date,
  minutes: number,
  settings: BusinessCalendarSettings = DEFAULT_BUSINESS_CALENDAR,
): Date {
  if (!Number.isInteger(minutes) || minutes < 0)
    throw new RangeError(`minutes must be a whole number ≥ 0, got ${minutes}`);
  let left = minutes * MINUTE_MS;
  if (left === 0) return end;
  const t = end.getTime();
  for (const r of rangesWalk(end, settings, -1)) {
    if (r.start >= t) continue;
    const to = Math.min(t, r.end);
    if (to - r.start >= left) return new Date(to - left);
    left -= to - r.start;
  }
  throw new Error('unreachable: rangesWalk throws when it runs out');
}

/**
 * Business minutes of a normal working day (the sum of the `BUSINESS_HOURS` ranges; 360 by
 * default); days with hours of their own (`weekdayHours`) do not change it.
 */
export function businessMinutesPerDay(
  settings: BusinessCalendarSettings = DEFAULT_BUSINESS_CALENDAR,
): number {
  return settings.hours.reduce((sum, r) => {
    const m = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
    return sum + m(r.end) - m(r.start);
  }, 0);
}

/**
 * The close of the `days`-th business day that lies wholly at or after `start` (a day already
 * open at `start` does not count): the plain reading of "entro N giorni lavorativi".
 */
export function closeOfWholeBusinessDays(
  start: Date,
  days: number,
  settings: BusinessCalendarSettings = DEFAULT_BUSINESS_CALENDAR,
): Date {
  let date = instantToZoned(start, settings.timeZone).date;
  let counted = 0;
  for (let i = 0; i <= MAX_SEARCH_DAYS; i++, date = addDays(date, 1)) {
    const ranges = businessRangesOn(date, settings);
    if (ranges.length === 0 || ranges[0]!.start.getTime() < start.getTime()) continue;
    counted += 1;
    if (counted >= days) return ranges.at(-1)!.end;
  }
  throw new Error(
    `business calendar has no ${days} business days in the ${MAX_SEARCH_DAYS} days after ${start.toISOString()}`,
  );
}

/**
 * The T2 first-contact deadline: `days` business days of business time (2 × 6 h = 12 business
 * hours by default) from `start`, the later of the message's arrival and the account's
 * activation. Tuesday 16:30 → Thursday 16:30; Friday 17:30 → Tuesday 17:30; a start at 20:00 or
 * on a holiday counts from the next opening. Never later than the close of the second whole
 * business day ({@link closeOfWholeBusinessDays}), so meeting it always meets the terms: with
 * every day in the same hours the business time comes first anyway; with a shorter day (a
 * Saturday morning) the close of the second whole day may come first, and then it is the deadline.
 */
export function firstContactDeadline(
  start: Date,
  settings: BusinessCalendarSettings = DEFAULT_BUSINESS_CALENDAR,
  days = 2,
): Date {
  const byTime = addBusinessMinutes(start, days * businessMinutesPerDay(settings), settings);
  // Equal days: the business time never ends after the close of the second whole day.
  const unequal = Object.keys(settings.weekdayHours ?? {}).length > 0;
  if (!unequal) return byTime;
  return new Date(Math.min(byTime.getTime(), closeOfWholeBusinessDays(start, days, settings).getTime()));
}
