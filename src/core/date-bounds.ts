/**
 * The dates and instants the helpdesk accepts from clients, in one place (docs/date-bounds.md).
 * Every date, instant and month a client sends (REST API, staff dashboard, portal) goes through
 * these schemas and checks, so a year 9999 or a 1970 timestamp is a 400 naming the field, never a
 * stored value the calendar code has to walk to.
 *
 * - The supported calendar: 2000-01-01 … 2099-12-31 (dates, months, instants).
 * - Work (time entries): started from 2000-01-01, and at most {@link WORK_FUTURE_TOLERANCE_MS}
 *   after now (a clock a little ahead, a start typed a few minutes early).
 * - Closures: from today (business time zone) to {@link CLOSURE_HORIZON_YEARS} years ahead.
 * - Report ranges: months and weeks inside the supported calendar (their length is capped by
 *   src/core/reports/periods.ts).
 */
import { z } from 'zod';

/** First and last supported local dates (`YYYY-MM-DD`). */
export const EARLIEST_DATE = '2000-01-01';
export const LATEST_DATE = '2099-12-31';
/** First supported instant (inclusive) and the end of the supported range (exclusive). */
export const EARLIEST_INSTANT = new Date('2000-01-01T00:00:00Z');
export const END_OF_RANGE = new Date('2100-01-01T00:00:00Z');
/** How far in the future a time entry may start: 1 hour, in ms. */
export const WORK_FUTURE_TOLERANCE_MS = 60 * 60_000;
/** How far ahead a closure may be added, in years. */
export const CLOSURE_HORIZON_YEARS = 3;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Whether `date` is a `YYYY-MM-DD` day that exists (not 2026-02-30) inside the supported calendar. */
export function isSupportedDate(date: string): boolean {
  if (!DATE.test(date) || date < EARLIEST_DATE || date > LATEST_DATE) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

/** Whether `month` is a `YYYY-MM` inside the supported calendar. */
export function isSupportedMonth(month: string): boolean {
  return MONTH.test(month) && month >= EARLIEST_DATE.slice(0, 7) && month <= LATEST_DATE.slice(0, 7);
}

/** Whether an instant (a stored one too) is inside the supported range. */
export function isSupportedInstant(instant: Date): boolean {
  const t = instant.getTime();
  return !Number.isNaN(t) && t >= EARLIEST_INSTANT.getTime() && t < END_OF_RANGE.getTime();
}

const RANGE = `from ${EARLIEST_DATE} to ${LATEST_DATE}`;

/**
 * A local date `YYYY-MM-DD` of the supported calendar (a string; numbers are refused). `message`:
 * the refusal's text (the staff pages pass Italian and English).
 */
export const dateField = (message = `a day of the calendar like 2026-03-31, ${RANGE}`) =>
  z.string().refine(isSupportedDate, { message });

/** A month `YYYY-MM` of the supported calendar; `message` as for {@link dateField}. */
export const monthField = (message = `a month like 2026-03, ${RANGE}`) =>
  z.string().refine(isSupportedMonth, { message });

/**
 * An instant as ISO 8601 with its offset (`2026-03-02T09:00:00Z`, `…+01:00`), inside the supported
 * range; parsed to a Date. A number (`12345`, seconds or ms since 1970) is refused, not guessed.
 */
export const instantField = () =>
  z.iso
    .datetime({ offset: true, message: 'an instant like 2026-03-02T09:00:00Z (ISO 8601 with its offset)' })
    .transform((text) => new Date(text))
    .refine(isSupportedInstant, { message: `an instant ${RANGE}` });

/** Why a time entry cannot start at `startedAt` given the clock's `now`; undefined when it can. */
export function workStartProblem(startedAt: Date, now: Date): string | undefined {
  if (Number.isNaN(startedAt.getTime())) return 'startedAt is not a valid instant';
  if (startedAt.getTime() < EARLIEST_INSTANT.getTime())
    return `startedAt is before ${EARLIEST_DATE}: work that old cannot be logged`;
  if (startedAt.getTime() > now.getTime() + WORK_FUTURE_TOLERANCE_MS)
    return `startedAt is in the future (${startedAt.toISOString()}): log work once it has started`;
  return undefined;
}

/** Why a closure cannot be added on `date` when the business's local date is `today`; undefined when it can. */
export function closureDateProblem(date: string, today: string): string | undefined {
  if (!isSupportedDate(date)) return `use a day of the calendar, YYYY-MM-DD, ${RANGE}`;
  if (date < today) return `${date} is in the past: closures are for today or later`;
  const horizon = `${Number(today.slice(0, 4)) + CLOSURE_HORIZON_YEARS}${today.slice(4)}`;
  if (date > horizon) return `${date} is more than ${CLOSURE_HORIZON_YEARS} years ahead (after ${horizon})`;
  return undefined;
}
