import { type BusinessHoursRange, parseBusinessHours } from './business-calendar.js';
import { ConfigError } from './errors.js';

/**
 * The settings staff change at run time (#25), their types and what a good value is. Storing
 * and applying them: settings.ts.
 */

export interface SettingValues {
  /** Opening ranges of every working day, `HH:MM-HH:MM,…` (the `BUSINESS_HOURS` format). */
  businessHours: string;
  /** ISO weekdays open for business, 1 = Monday … 7 = Sunday, sorted; Monday–Friday by default. */
  workingDays: number[];
  /**
   * Working days with ranges of their own, by ISO weekday (`{"6": "09:00-12:00"}`: Saturday
   * morning only); a day not listed opens in `businessHours`. None by default.
   */
  weekdayHours: Record<string, string>;
  remoteToolName: string;
  /** http(s) download link of the remote tool, in every consent request (T4). */
  remoteToolUrl: string;
  /** Cents per hour, VAT excluded, for customers without a contract rate (T6). */
  hourlyRateCents: number;
  /** Whole percent, 0–100. */
  vatPercent: number;
}

export type SettingKey = keyof SettingValues;

export const SETTING_KEYS: readonly SettingKey[] = [
  'businessHours',
  'workingDays',
  'weekdayHours',
  'remoteToolName',
  'remoteToolUrl',
  'hourlyRateCents',
  'vatPercent',
];

/** The keys that shape the business calendar: a change moves the running first-contact deadlines. */
export const CALENDAR_KEYS: readonly SettingKey[] = ['businessHours', 'workingDays', 'weekdayHours'];

const MAX_RATE_CENTS = 10_000_000;

export function formatBusinessHours(hours: ReadonlyArray<{ start: string; end: string }>): string {
  return hours.map((r) => `${r.start}-${r.end}`).join(',');
}

/** `weekdayHours` as the calendar holds it: ranges by ISO weekday. */
export function parseWeekdayHours(
  value: Record<string, string>,
): Partial<Record<number, BusinessHoursRange[]>> {
  const out: Partial<Record<number, BusinessHoursRange[]>> = {};
  for (const [day, hours] of Object.entries(value)) out[Number(day)] = parseBusinessHours(hours);
  return out;
}

/** The calendar's per-weekday ranges as the setting's value. */
export function formatWeekdayHours(
  hours: Partial<Record<number, BusinessHoursRange[]>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [day, ranges] of Object.entries(hours)) if (ranges) out[day] = formatBusinessHours(ranges);
  return out;
}

function hoursProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'expected text such as 09:00-12:00,15:00-18:00';
  try {
    parseBusinessHours(value);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error.message.replace(/^BUSINESS_HOURS: /, '');
    throw error;
  }
}

const isWeekday = (value: unknown) =>
  Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 7;

function weekdayHoursProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'expected opening ranges by weekday, e.g. {"6": "09:00-12:00"}';
  for (const [day, hours] of Object.entries(value)) {
    if (!/^[1-7]$/.test(day)) return `"${day}" is not a weekday: use 1 (Monday) to 7 (Sunday)`;
    const problem = hoursProblem(hours);
    if (problem) return `${day}: ${problem}`;
  }
  return undefined;
}

/** What is wrong with `value` as the setting `key`, or undefined when it can be used. */
export function settingProblem(key: SettingKey, value: unknown): string | undefined {
  switch (key) {
    case 'businessHours':
      return hoursProblem(value);
    case 'workingDays':
      return Array.isArray(value) &&
        value.length > 0 &&
        value.every(isWeekday) &&
        new Set(value).size === value.length
        ? undefined
        : 'expected the working weekdays, each once and at least one: 1 (Monday) to 7 (Sunday), e.g. [1,2,3,4,5]';
    case 'weekdayHours':
      return weekdayHoursProblem(value);
    case 'remoteToolName':
      if (typeof value !== 'string' || value.trim() === '') return 'the name cannot be empty';
      return value.length > 80 ? 'at most 80 characters' : undefined;
    case 'remoteToolUrl': {
      if (typeof value !== 'string' || value.length > 500)
        return 'expected an http(s) link of at most 500 characters';
      try {
        const url = new URL(value);
        return url.protocol === 'https:' || url.protocol === 'http:'
          ? undefined
          : 'the link must start with https://';
      } catch {
        return 'expected a link such as https://rustdesk.com/download';
      }
    }
    case 'hourlyRateCents':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_RATE_CENTS
        ? undefined
        : `expected whole cents from 0 to ${MAX_RATE_CENTS}`;
    case 'vatPercent':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 100
        ? undefined
        : 'expected a whole percent from 0 to 100';
  }
}

/** A good value in its one written form: ranges sorted, weekdays sorted, text trimmed. */
export function normaliseSetting<K extends SettingKey>(key: K, value: SettingValues[K]): SettingValues[K] {
  switch (key) {
    case 'businessHours':
      return formatBusinessHours(parseBusinessHours(value as string)) as SettingValues[K];
    case 'workingDays':
      return [...(value as number[])].sort((a, b) => a - b) as SettingValues[K];
    case 'weekdayHours': {
      const entries = Object.entries(value as Record<string, string>).sort(([a], [b]) => a.localeCompare(b));
      return Object.fromEntries(
        entries.map(([day, hours]) => [day, formatBusinessHours(parseBusinessHours(hours))]),
      ) as SettingValues[K];
    }
    default:
      return (typeof value === 'string' ? value.trim() : value) as SettingValues[K];
  }
}

/** Whether two values of a setting are the same (lists and maps compared by content). */
export function sameSettingValue(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): string =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? JSON.stringify(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)))
      : JSON.stringify(v);
  return canonical(a) === canonical(b);
}
