import { inArray } from 'drizzle-orm';
import { settings as settingsTable } from '../db/schema.js';
import { moveAppointmentReminders } from './appointment-reminders.js';
import { audit } from './audit.js';
import {
  type BusinessCalendarSettings,
  DEFAULT_BUSINESS_CALENDAR,
  parseBusinessHours,
} from './business-calendar.js';
import type { CoreContext, CoreSettings } from './core-context.js';
import { InvalidSettingsError } from './errors.js';
import { moveFirstContactDeadlines } from './first-contact.js';
import {
  CALENDAR_KEYS,
  formatBusinessHours,
  formatWeekdayHours,
  normaliseSetting,
  parseWeekdayHours,
  SETTING_KEYS,
  type SettingKey,
  type SettingValues,
  sameSettingValue,
  settingProblem,
} from './setting-values.js';

/**
 * Settings staff change at run time (#25 item 5; T2/T6 hours and rate, T9 remote tool): business
 * hours, the working weekdays and days with hours of their own, the remote tool's name and link,
 * the default hourly rate and VAT (values and checks: setting-values.ts). A value stored in the
 * `settings` table wins over the environment's (`BUSINESS_HOURS`, `REMOTE_TOOL_NAME`,
 * `REMOTE_TOOL_URL`, `HOURLY_RATE_CENTS`, `VAT_PERCENT`; Monday–Friday with no day of its own
 * hours), which stay the defaults.
 *
 * The effective values live where the core already reads them, `ctx.settings` and `ctx.calendar`
 * (hours, working days, days with their own hours): that object is the cached snapshot. A change
 * here replaces it at once (and moves the first-contact deadlines still running, as a closure
 * does); other processes on the same store see it at their next {@link loadSettings} (the app's
 * sweep, every DELIVERY_SWEEP_SECONDS).
 */

export type { SettingKey, SettingValues } from './setting-values.js';
export { settingProblem } from './setting-values.js';

export interface EffectiveSettings {
  /** What the app uses now. */
  values: SettingValues;
  /** The environment's values, used for a key with no stored value. */
  defaults: SettingValues;
  /** Keys stored in the database: who changed them last, and when. */
  stored: Partial<Record<SettingKey, { updatedBy: string; updatedAt: Date }>>;
}

/** A change: a key's new value, or null to go back to the environment's value. */
export type SettingsChange = { [K in SettingKey]?: SettingValues[K] | null };

const defaultsOf = new WeakMap<CoreSettings, SettingValues>();
const queues = new WeakMap<CoreSettings, Promise<unknown>>();

function calendarOf(ctx: CoreContext): BusinessCalendarSettings {
  ctx.calendar ??= { ...DEFAULT_BUSINESS_CALENDAR, hours: [...DEFAULT_BUSINESS_CALENDAR.hours] };
  return ctx.calendar;
}

/** The environment's values: read from the context the first time, before any stored value applies. */
function defaults(ctx: CoreContext): SettingValues {
  let values = defaultsOf.get(ctx.settings);
  if (!values) {
    values = currentValues(ctx);
    defaultsOf.set(ctx.settings, values);
  }
  return values;
}

/** Makes `values` the effective settings of `ctx` (the snapshot every reader sees). */
function apply(ctx: CoreContext, values: SettingValues): void {
  const calendar = calendarOf(ctx);
  const hours = parseBusinessHours(values.businessHours);
  calendar.hours = hours;
  calendar.workingDays = [...values.workingDays];
  // A day listed with the normal hours is a normal day (the deadline rule counts on it).
  const own = Object.entries(values.weekdayHours).filter(([, h]) => h !== values.businessHours);
  calendar.weekdayHours = parseWeekdayHours(Object.fromEntries(own));
  ctx.settings.openingHours = {
    hours,
    workingDays: calendar.workingDays,
    weekdayHours: calendar.weekdayHours,
  };
  ctx.settings.remoteToolName = values.remoteToolName;
  ctx.settings.remoteToolUrl = values.remoteToolUrl;
  ctx.settings.hourlyRateCents = values.hourlyRateCents;
  ctx.settings.vatPercent = values.vatPercent;
}

function currentValues(ctx: CoreContext): SettingValues {
  const calendar = calendarOf(ctx);
  return {
    businessHours: formatBusinessHours(calendar.hours),
    workingDays: [...calendar.workingDays],
    weekdayHours: formatWeekdayHours(calendar.weekdayHours),
    remoteToolName: ctx.settings.remoteToolName,
    remoteToolUrl: ctx.settings.remoteToolUrl,
    hourlyRateCents: ctx.settings.hourlyRateCents,
    vatPercent: ctx.settings.vatPercent,
  };
}

async function readStored(ctx: CoreContext): Promise<Pick<EffectiveSettings, 'values' | 'stored'>> {
  const rows = await ctx.database.db.select().from(settingsTable);
  const values: SettingValues = { ...defaults(ctx) };
  const stored: EffectiveSettings['stored'] = {};
  for (const row of rows) {
    const key = row.key as SettingKey;
    // A key of a later version, or a value edited by hand into something unusable: the default.
    if (!SETTING_KEYS.includes(key) || settingProblem(key, row.value) !== undefined) continue;
    (values as unknown as Record<string, unknown>)[key] = row.value;
    stored[key] = { updatedBy: row.updatedBy, updatedAt: row.updatedAt };
  }
  return { values, stored };
}

/**
 * Reads the stored settings and makes them effective (at start, and on each sweep so a change made
 * by another process arrives here). Returns them with the defaults.
 */
export async function loadSettings(ctx: CoreContext): Promise<EffectiveSettings> {
  const base = defaults(ctx);
  const { values, stored } = await readStored(ctx);
  apply(ctx, values);
  return { values, defaults: { ...base }, stored };
}

/**
 * Changes settings (null: back to the environment's value). Every key is checked first; any bad
 * one throws InvalidSettingsError naming each bad field, and nothing changes. Each changed key is
 * audit-logged with `actor`, the old and the new value. New business hours move the first-contact
 * deadlines still running (T2), in the same transaction. Effective at once in this process.
 */
export async function updateSettings(
  ctx: CoreContext,
  change: SettingsChange,
  actor: string,
): Promise<EffectiveSettings> {
  const problems: Record<string, string> = {};
  for (const [key, value] of Object.entries(change)) {
    if (!SETTING_KEYS.includes(key as SettingKey)) problems[key] = 'not a setting';
    else if (value !== null && value !== undefined) {
      const problem = settingProblem(key as SettingKey, value);
      if (problem) problems[key] = problem;
    }
  }
  if (Object.keys(problems).length > 0) throw new InvalidSettingsError(problems);
  // One change at a time per process: each starts from the values the previous one left.
  const previous = queues.get(ctx.settings) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => changeSettings(ctx, change, actor));
  queues.set(ctx.settings, run);
  return run;
}

async function changeSettings(
  ctx: CoreContext,
  change: SettingsChange,
  actor: string,
): Promise<EffectiveSettings> {
  const base = defaults(ctx);
  const before = currentValues(ctx);
  const { values: fresh } = await readStored(ctx);
  const next: SettingValues = { ...fresh };
  const resets: SettingKey[] = [];
  const writes: Array<{ key: SettingKey; value: unknown }> = [];
  for (const key of SETTING_KEYS) {
    if (!(key in change) || change[key] === undefined) continue;
    const value = change[key];
    if (value === null) {
      resets.push(key);
      (next as unknown as Record<string, unknown>)[key] = base[key];
    } else {
      const normalised = normaliseSetting(key, value as never);
      writes.push({ key, value: normalised });
      (next as unknown as Record<string, unknown>)[key] = normalised;
    }
  }
  const changed = SETTING_KEYS.filter((key) => !sameSettingValue(next[key], fresh[key]));
  apply(ctx, next);
  try {
    await ctx.database.transaction(async (tx) => {
      const now = ctx.now();
      if (resets.length > 0) await tx.db.delete(settingsTable).where(inArray(settingsTable.key, resets));
      for (const { key, value } of writes) {
        await tx.db
          .insert(settingsTable)
          .values({ key, value, updatedBy: actor, updatedAt: now })
          .onConflictDoUpdate({
            target: settingsTable.key,
            set: { value, updatedBy: actor, updatedAt: now },
          });
      }
      for (const key of changed) {
        await audit(tx, {
          actor,
          action: 'setting.changed',
          data: { key, old: fresh[key], new: next[key], reset: resets.includes(key) },
        });
      }
      if (changed.some((key) => CALENDAR_KEYS.includes(key))) {
        await moveFirstContactDeadlines(ctx, tx);
        await moveAppointmentReminders(ctx, tx);
      }
    });
  } catch (error) {
    apply(ctx, before);
    throw error;
  }
  ctx.jobs.wake();
  return loadSettings(ctx);
}
