/**
 * Months (`YYYY-MM`) and ISO weeks (`YYYY-Www`, Monday first) of the staff reports (#25), as
 * instants in the business time zone. Pure.
 */
import { addDays, instantToZoned, zonedTimeToInstant } from '../business-calendar.js';
import { isSupportedMonth } from '../date-bounds.js';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const WEEK = /^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$/;

/** Longest range a report covers (36 months, 104 weeks): a bounded page and query. */
export const MAX_MONTHS = 36;
export const MAX_WEEKS = 104;

/** A `YYYY-MM` of the supported calendar, 2000–2099 (src/core/date-bounds.ts). */
export function isMonth(value: string): boolean {
  return MONTH.test(value) && isSupportedMonth(value);
}

/** A `YYYY-Www` whose year is in the supported calendar, 2000–2099. */
export function isWeek(value: string): boolean {
  return WEEK.test(value) && isSupportedMonth(`${value.slice(0, 4)}-01`);
}

/** The month `delta` months after `month` (negative: before). */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Every month from `from` to `to`, both included. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = from; m <= to && months.length <= MAX_MONTHS; m = shiftMonth(m, 1)) months.push(m);
  return months;
}

/** The Monday (`YYYY-MM-DD`) of ISO week `YYYY-Www`. */
export function weekMonday(week: string): string {
  const match = WEEK.exec(week);
  if (!match) throw new RangeError(`not an ISO week (YYYY-Www): ${week}`);
  const year = Number(match[1]);
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday1 = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000);
  return addDays(monday1.toISOString().slice(0, 10), (Number(match[2]) - 1) * 7);
}

/** The ISO week (`YYYY-Www`) of a local date `YYYY-MM-DD`. */
export function isoWeekOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const thursday = new Date(d.getTime() + (3 - ((d.getUTCDay() + 6) % 7)) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const week = Math.floor((thursday.getTime() - jan1) / 86_400_000 / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Mondays of the weeks from `from` to `to` (ISO weeks), both included. */
export function mondaysBetween(from: string, to: string): string[] {
  const last = weekMonday(to);
  const mondays: string[] = [];
  for (let d = weekMonday(from); d <= last && mondays.length <= MAX_WEEKS; d = addDays(d, 7)) mondays.push(d);
  return mondays;
}

/** Instants from the first local midnight of `fromMonth` to that of the month after `toMonth`. */
export function monthsRange(fromMonth: string, toMonth: string, timeZone: string): { from: Date; to: Date } {
  return {
    from: zonedTimeToInstant(`${fromMonth}-01`, '00:00', timeZone),
    to: zonedTimeToInstant(`${shiftMonth(toMonth, 1)}-01`, '00:00', timeZone),
  };
}

/** Instants from the local Monday midnight of `fromWeek` to that of the week after `toWeek`. */
export function weeksRange(fromWeek: string, toWeek: string, timeZone: string): { from: Date; to: Date } {
  return {
    from: zonedTimeToInstant(weekMonday(fromWeek), '00:00', timeZone),
    to: zonedTimeToInstant(addDays(weekMonday(toWeek), 7), '00:00', timeZone),
  };
}

export interface ReportPeriod {
  fromMonth: string;
  toMonth: string;
  fromWeek: string;
  toWeek: string;
}

/**
 * The period of a request: its valid values, else the defaults (the last 6 months and the last 12
 * weeks up to `now`'s). A range given backwards is swapped; one longer than the maximum is cut
 * at its start.
 */
export function reportPeriod(
  query: Partial<Record<keyof ReportPeriod, string>>,
  now: Date,
  timeZone: string,
): ReportPeriod {
  const today = instantToZoned(now, timeZone).date;
  const month = today.slice(0, 7);
  const week = isoWeekOf(today);
  let toMonth = query.toMonth && isMonth(query.toMonth) ? query.toMonth : month;
  let fromMonth = query.fromMonth && isMonth(query.fromMonth) ? query.fromMonth : shiftMonth(toMonth, -5);
  if (fromMonth > toMonth) [fromMonth, toMonth] = [toMonth, fromMonth];
  if (monthsBetween(fromMonth, toMonth).length > MAX_MONTHS) fromMonth = shiftMonth(toMonth, 1 - MAX_MONTHS);
  let toWeek = query.toWeek && isWeek(query.toWeek) ? query.toWeek : week;
  let fromWeek =
    query.fromWeek && isWeek(query.fromWeek) ? query.fromWeek : isoWeekOf(addDays(weekMonday(toWeek), -77));
  if (weekMonday(fromWeek) > weekMonday(toWeek)) [fromWeek, toWeek] = [toWeek, fromWeek];
  if (mondaysBetween(fromWeek, toWeek).length > MAX_WEEKS)
    fromWeek = isoWeekOf(addDays(weekMonday(toWeek), -7 * (MAX_WEEKS - 1)));
  return { fromMonth, toMonth, fromWeek, toWeek };
}
