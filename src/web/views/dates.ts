import type { PageContext } from './layout.js';

/** The last Sunday of `month` (0-based) in `year`, 01:00 UTC: when EU summer time starts or ends. */
function lastSunday(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0, 1));
  return last.getTime() - last.getUTCDay() * 86_400_000;
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * Italian time (CET/CEST, the EU rule in force since 1996) as `dd/mm/yy HH:MM`. Written out rather
 * than through Intl with a time zone, which costs ~50 µs a date on Node 20: a page of 200 tickets
 * would spend 10 ms on its dates alone.
 */
export function italianDateTime(at: Date): string {
  const year = at.getUTCFullYear();
  const summer = at.getTime() >= lastSunday(year, 2) && at.getTime() < lastSunday(year, 9);
  const local = new Date(at.getTime() + (summer ? 2 : 1) * 3_600_000);
  return `${two(local.getUTCDate())}/${two(local.getUTCMonth() + 1)}/${two(local.getUTCFullYear() % 100)} ${two(local.getUTCHours())}:${two(local.getUTCMinutes())}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Italian time written the English way: `2 Mar 2026, 14:30`. */
export function englishDateTime(at: Date): string {
  const [d, m, y, hm] = italianDateTime(at).split(/[/ ]/) as [string, string, string, string];
  return `${Number(d)} ${MONTHS[Number(m) - 1]} 20${y}, ${hm}`;
}

export const dateTime = (ctx: PageContext, at: Date) =>
  ctx.t.lang === 'en' ? englishDateTime(at) : italianDateTime(at);
