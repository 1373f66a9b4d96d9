import type { Locale } from './format.js';

/**
 * The shop's opening hours as a customer reads them, from the business calendar's settings
 * (`BUSINESS_HOURS` and the working days): `dal lunedì al venerdì, 9:00-12:00 e 15:00-18:00` /
 * `Monday to Friday, 9:00-12:00 and 15:00-18:00`. Pure.
 */

type Range = { start: string; end: string };

/** What the text is built from: ranges `HH:MM`-`HH:MM` (sorted) and ISO weekdays (1 = Monday). */
export interface OpeningHours {
  hours: Range[];
  workingDays: number[];
  /** Working days with ranges of their own, by ISO weekday (a Saturday morning). */
  weekdayHours?: Partial<Record<number, Range[]>>;
}

const DAY_NAMES: Record<Locale, string[]> = {
  it: ['lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato', 'domenica'],
  en: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
};

/** The name of ISO weekday `day` (1 = Monday), lower case in Italian. */
export function weekdayName(day: number, locale: Locale): string {
  return DAY_NAMES[locale][day - 1]!;
}

/** `a, b e c` / `a, b and c`. */
function list(items: string[], locale: Locale): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${locale === 'en' ? 'and' : 'e'} ${items.at(-1)}`;
}

/** `09:00` → `9:00` (the way both languages write hours in running text). */
function time(value: string): string {
  return value.replace(/^0(\d)/, '$1');
}

function days(workingDays: number[], locale: Locale): string {
  const sorted = [...new Set(workingDays)].filter((d) => d >= 1 && d <= 7).sort((a, b) => a - b);
  const names = DAY_NAMES[locale];
  const name = (day: number) => names[day - 1]!;
  const consecutive = sorted.every((day, i) => i === 0 || day === sorted[i - 1]! + 1);
  if (sorted.length >= 3 && consecutive) {
    const first = name(sorted[0]!);
    const last = name(sorted.at(-1)!);
    if (locale === 'en') return `${first} to ${last}`;
    // Domenica is the only feminine day: "dal venerdì alla domenica".
    return `dal ${first} ${sorted.at(-1) === 7 ? 'alla' : 'al'} ${last}`;
  }
  return list(sorted.map(name), locale);
}

/**
 * The opening hours in running text, in `locale` (see the file comment). Days with hours of their
 * own follow, grouped by hours: `…, 9:00-12:00 e 15:00-18:00; sabato, 9:00-12:00`.
 */
export function formatOpeningHours(opening: OpeningHours, locale: Locale): string {
  const groups = new Map<string, number[]>();
  for (const day of [...new Set(opening.workingDays)].sort((a, b) => a - b)) {
    const ranges = (opening.weekdayHours?.[day] ?? opening.hours).map(
      (range) => `${time(range.start)}-${time(range.end)}`,
    );
    const key = list(ranges, locale);
    groups.set(key, [...(groups.get(key) ?? []), day]);
  }
  return [...groups].map(([ranges, group]) => `${days(group, locale)}, ${ranges}`).join('; ');
}
