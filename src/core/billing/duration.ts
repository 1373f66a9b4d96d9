/**
 * Durations of work, in whole minutes. Pure. Technicians type them as `1h30`, `1h30m`, `90m`,
 * `90` (minutes), `1:30`, `1,5h` or `1.5h`; customers and technicians read them as `1 h 30 min`,
 * never as decimal hours that do not multiply back (issue #24, item 3).
 */

/** The longest single entry: one day. A longer piece of work is logged as several entries. */
export const MAX_ENTRY_MINUTES = 24 * 60;

const HOURS_MINUTES = /^(?:(\d{1,2})\s*h)?\s*(?:(\d{1,4})\s*(?:m|min)?)?$/i;
const CLOCK = /^(\d{1,2}):([0-5]\d)$/;
const DECIMAL_HOURS = /^(\d{1,2})[.,](\d{1,2})\s*h$/i;

/**
 * A duration as typed by a technician → whole minutes, or undefined when it is not a duration,
 * is zero, or is longer than {@link MAX_ENTRY_MINUTES}. Decimal hours are rounded to the nearest
 * minute (`1,33h` → 80). A bare number is minutes (`90` → 90). Minutes after hours stop at 59
 * (`1h90` is refused, not read as 150 minutes).
 */
export function parseDuration(input: string): number | undefined {
  const text = input.trim();
  if (text === '') return undefined;
  let minutes: number | undefined;
  const clock = CLOCK.exec(text);
  const decimal = DECIMAL_HOURS.exec(text);
  const hm = HOURS_MINUTES.exec(text);
  if (clock) minutes = Number(clock[1]) * 60 + Number(clock[2]);
  else if (decimal) minutes = Math.round(Number(`${decimal[1]}.${decimal[2]}`) * 60);
  else if (hm && (hm[1] !== undefined || hm[2] !== undefined)) {
    // `1h90` is ambiguous (150 min? 1,9 h?): after hours, minutes stop at 59, as on a clock.
    if (hm[1] !== undefined && Number(hm[2] ?? 0) > 59) return undefined;
    minutes = Number(hm[1] ?? 0) * 60 + Number(hm[2] ?? 0);
  }
  return minutes !== undefined && minutes > 0 && minutes <= MAX_ENTRY_MINUTES ? minutes : undefined;
}

/** Minutes as `1 h 30 min`, `45 min`, `2 h`, `0 min` (the same in Italian and English). */
export function formatDuration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
