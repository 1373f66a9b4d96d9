import { asc, eq } from 'drizzle-orm';
import { closures } from '../db/schema.js';
import { moveAppointmentReminders } from './appointment-reminders.js';
import { audit } from './audit.js';
import {
  type BusinessCalendarSettings,
  DEFAULT_BUSINESS_CALENDAR,
  instantToZoned,
} from './business-calendar.js';
import type { CoreContext } from './core-context.js';
import { closureDateProblem, isSupportedDate } from './date-bounds.js';
import { ConflictError, DateOutOfRangeError, NotFoundError } from './errors.js';
import { moveFirstContactDeadlines } from './first-contact.js';

/**
 * Closures: days the business is shut beyond public holidays (T6 "extra closures"). Those of the
 * `EXTRA_CLOSURES` setting are fixed; staff add and remove others at run time (API, later the
 * dashboard). The calendar's `extraClosures` is replaced with both, and the first-contact deadlines
 * still running move with it, in the same transaction as the change.
 */

export interface Closure {
  date: string;
  reason: string | null;
  /** `setting` (EXTRA_CLOSURES, fixed) or `staff` (added at run time). */
  source: 'setting' | 'staff';
  createdBy?: string;
}

const configured = new WeakMap<BusinessCalendarSettings, readonly string[]>();

function calendarOf(ctx: CoreContext): BusinessCalendarSettings {
  const calendar = ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR;
  if (!configured.has(calendar)) configured.set(calendar, [...calendar.extraClosures]);
  return calendar;
}

function settingClosures(calendar: BusinessCalendarSettings): readonly string[] {
  return configured.get(calendar) ?? [];
}

/**
 * Checks a local date `YYYY-MM-DD` that exists in the calendar (no 30 February) and is inside the
 * supported calendar, 2000–2099 (src/core/date-bounds.ts).
 */
export function isCalendarDate(date: string): boolean {
  return isSupportedDate(date);
}

/** Reads the stored closures into the calendar (at start, and on each sweep for other processes). */
export async function loadClosures(ctx: CoreContext): Promise<void> {
  const calendar = calendarOf(ctx);
  const rows = await ctx.database.db.select({ date: closures.date }).from(closures);
  calendar.extraClosures = [...new Set([...settingClosures(calendar), ...rows.map((r) => r.date)])].sort();
}

/** Every closure, setting's and staff's, by date. */
export async function listClosures(ctx: CoreContext): Promise<Closure[]> {
  const calendar = calendarOf(ctx);
  const rows = await ctx.database.db.select().from(closures).orderBy(asc(closures.date));
  const out: Closure[] = settingClosures(calendar).map((date) => ({ date, reason: null, source: 'setting' }));
  for (const r of rows) {
    if (!out.some((c) => c.date === r.date))
      out.push({ date: r.date, reason: r.reason, source: 'staff', createdBy: r.createdBy });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * Adds a closure and moves the running first-contact deadlines. Throws ConflictError when the
 * day is already closed by a closure. Returns how many tickets' deadlines moved.
 */
export async function addClosure(
  ctx: CoreContext,
  input: { date: string; reason?: string },
  actor: string,
): Promise<{ moved: number }> {
  const calendar = calendarOf(ctx);
  const problem = closureDateProblem(input.date, instantToZoned(ctx.now(), calendar.timeZone).date);
  if (problem) throw new DateOutOfRangeError('date', problem);
  if (calendar.extraClosures.includes(input.date))
    throw new ConflictError(`${input.date} is already a closure`, { field: 'date' });
  return changeCalendar(ctx, calendar, [...calendar.extraClosures, input.date].sort(), async (tx) => {
    await tx.db.insert(closures).values({ date: input.date, reason: input.reason ?? null, createdBy: actor });
    await audit(tx, {
      actor,
      action: 'closure.added',
      data: { date: input.date, reason: input.reason ?? null },
    });
  });
}

/** Removes a staff closure (a setting's cannot be: change EXTRA_CLOSURES) and moves the deadlines back. */
export async function removeClosure(
  ctx: CoreContext,
  date: string,
  actor: string,
): Promise<{ moved: number }> {
  const calendar = calendarOf(ctx);
  if (settingClosures(calendar).includes(date)) {
    throw new ConflictError(
      `${date} is closed by the EXTRA_CLOSURES setting; change the setting to open it`,
      {
        field: 'date',
      },
    );
  }
  const [row] = await ctx.database.db.select().from(closures).where(eq(closures.date, date));
  if (!row) throw new NotFoundError('closure', date);
  return changeCalendar(
    ctx,
    calendar,
    calendar.extraClosures.filter((d) => d !== date),
    async (tx) => {
      await tx.db.delete(closures).where(eq(closures.date, date));
      await audit(tx, { actor, action: 'closure.removed', data: { date } });
    },
  );
}

async function changeCalendar(
  ctx: CoreContext,
  calendar: BusinessCalendarSettings,
  next: readonly string[],
  change: Parameters<CoreContext['database']['transaction']>[0],
): Promise<{ moved: number }> {
  const before = calendar.extraClosures;
  calendar.extraClosures = next;
  try {
    const moved = await ctx.database.transaction(async (tx) => {
      await change(tx);
      await moveAppointmentReminders(ctx, tx);
      return moveFirstContactDeadlines(ctx, tx);
    });
    ctx.jobs.wake();
    return { moved };
  } catch (error) {
    calendar.extraClosures = before;
    throw error;
  }
}
