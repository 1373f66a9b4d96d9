/**
 * Timers on a ticket (issue #24): Start makes a `running` entry, Stop turns it into a confirmed
 * entry of the minutes elapsed. A timer left running stops itself at the end of its business day
 * (a pg-boss job scheduled at start): it becomes `unconfirmed`, its technician is told in the
 * ticket's Slack thread, and nothing is billed from it until they confirm it (Stop again, or the
 * API's PATCH with `status: confirmed`).
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { tickets, timeEntries } from '../../db/schema.js';
import { alertStaff, audit } from '../audit.js';
import {
  type BusinessCalendarSettings,
  businessMinutesBetween,
  businessRangesOn,
  DEFAULT_BUSINESS_CALENDAR,
  instantToZoned,
  zonedTimeToInstant,
} from '../business-calendar.js';
import type { CoreContext } from '../core-context.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { getTicketByNumber } from '../tickets.js';
import { formatDuration, MAX_ENTRY_MINUTES } from './duration.js';
import type { EntryKind } from './pricing.js';
import type { TimeEntryRow } from './time-entries.js';

/**
 * When a timer started at `start` stops itself: the closing time of that business day (the end of
 * its last range, 18:00) when it started before it; otherwise the local midnight ending that day.
 */
export function timerStopTime(
  start: Date,
  calendar: BusinessCalendarSettings = DEFAULT_BUSINESS_CALENDAR,
): Date {
  const { date } = instantToZoned(start, calendar.timeZone);
  const close = businessRangesOn(date, calendar).at(-1)?.end;
  if (close && close.getTime() > start.getTime()) return close;
  const next = new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return zonedTimeToInstant(next, '00:00', calendar.timeZone);
}

const elapsedMinutes = (from: Date, to: Date) =>
  Math.min(MAX_ENTRY_MINUTES, Math.max(1, Math.ceil((to.getTime() - from.getTime()) / 60_000)));

/**
 * Minutes of a timer that stopped itself (docs/billing.md, "Timers"): only the business hours
 * between its start and its stop, so the lunch break and the time before opening are not counted;
 * a timer started after closing or on a closed day has no business time and keeps the wall clock
 * up to midnight. A timer stopped by hand always keeps the wall clock (the technician chose).
 */
export function autoStoppedMinutes(from: Date, to: Date, calendar: BusinessCalendarSettings): number {
  const inside = businessMinutesBetween(from, to, calendar);
  return inside > 0 ? Math.min(MAX_ENTRY_MINUTES, inside) : elapsedMinutes(from, to);
}

/** Starts a timer; a second one of the same technician on the same ticket is a ConflictError. */
export async function startTimer(
  ctx: CoreContext,
  tx: Tx,
  input: { ticketNumber: number; technician: string; kind?: EntryKind; actor: string },
): Promise<TimeEntryRow> {
  const ticket = await getTicketByNumber(tx, input.ticketNumber, { forUpdate: true });
  const [running] = await tx.db
    .select()
    .from(timeEntries)
    .where(
      and(
        eq(timeEntries.ticketId, ticket.id),
        eq(timeEntries.technician, input.technician),
        eq(timeEntries.status, 'running'),
      ),
    );
  if (running)
    throw new ConflictError(`ticket #${ticket.number}: ${input.technician} already has a timer running`);
  const now = ctx.now();
  const [entry] = await tx.db
    .insert(timeEntries)
    .values({
      ticketId: ticket.id,
      technician: input.technician,
      startedAt: now,
      minutes: null,
      kind: input.kind ?? 'remote',
      status: 'running',
      source: 'timer',
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await ctx.scheduleTimerStop?.(tx, entry!.id.toString(), timerStopTime(now, ctx.calendar));
  await audit(tx, {
    actor: input.actor,
    action: 'time.timer_started',
    ticketId: ticket.id,
    data: { entryId: entry!.id.toString() },
  });
  return entry!;
}

/**
 * Stops the technician's running timer on the ticket (a confirmed entry of the minutes elapsed),
 * or confirms the one that stopped itself. NotFoundError when there is neither.
 */
export async function stopTimer(
  ctx: CoreContext,
  tx: Tx,
  input: { ticketNumber: number; technician: string; actor: string },
): Promise<{ entry: TimeEntryRow; confirmed: 'stopped' | 'confirmed' }> {
  const ticket = await getTicketByNumber(tx, input.ticketNumber, { forUpdate: true });
  const [entry] = await tx.db
    .select()
    .from(timeEntries)
    .where(
      and(
        eq(timeEntries.ticketId, ticket.id),
        eq(timeEntries.technician, input.technician),
        inArray(timeEntries.status, ['running', 'unconfirmed']),
      ),
    )
    .orderBy(timeEntries.startedAt)
    .limit(1)
    .for('update');
  if (!entry) throw new NotFoundError(`timer of ${input.technician} on ticket`, ticket.number);
  const now = ctx.now();
  const minutes = entry.status === 'running' ? elapsedMinutes(entry.startedAt, now) : entry.minutes!;
  const [row] = await tx.db
    .update(timeEntries)
    .set({ status: 'confirmed', minutes, updatedAt: now })
    .where(eq(timeEntries.id, entry.id))
    .returning();
  await audit(tx, {
    actor: input.actor,
    action: entry.status === 'running' ? 'time.timer_stopped' : 'time.timer_confirmed',
    ticketId: ticket.id,
    data: { entryId: entry.id.toString(), minutes },
  });
  return { entry: row!, confirmed: entry.status === 'running' ? 'stopped' : 'confirmed' };
}

/**
 * The pg-boss job at the end of the business day: a timer still running stops at that time,
 * unconfirmed, and its technician is told in the ticket's thread. Nothing happens to a timer
 * already stopped. Returns the entry when it stopped it.
 */
export async function autoStopTimer(
  ctx: CoreContext,
  tx: Tx,
  entryId: string,
): Promise<TimeEntryRow | undefined> {
  const [entry] = await tx.db
    .select()
    .from(timeEntries)
    .where(and(eq(timeEntries.id, BigInt(entryId)), eq(timeEntries.status, 'running')))
    .for('update');
  if (!entry) return undefined;
  const stopAt = timerStopTime(entry.startedAt, ctx.calendar);
  const now = ctx.now();
  const minutes = autoStoppedMinutes(
    entry.startedAt,
    stopAt.getTime() < now.getTime() ? stopAt : now,
    ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR,
  );
  const [row] = await tx.db
    .update(timeEntries)
    .set({ status: 'unconfirmed', minutes, updatedAt: now })
    .where(eq(timeEntries.id, entry.id))
    .returning();
  const [ticket] = await tx.db.select().from(tickets).where(eq(tickets.id, entry.ticketId));
  if (!ticket) throw new NotFoundError('ticket', entry.ticketId.toString());
  await alertStaff(tx, {
    kind: 'timer_stopped',
    ticketId: ticket.id,
    text: `${entry.technician}: il timer del ticket #${ticket.number} era ancora attivo a fine giornata ed è stato fermato (${formatDuration(minutes)}). Non viene fatturato finché non lo confermi: premi "Ferma timer" o correggilo via API. / Your timer was still running at the end of the business day and was stopped; it is not billed until you confirm it.`,
    data: { entryId, technician: entry.technician, minutes },
  });
  await audit(tx, {
    actor: 'system',
    action: 'time.timer_auto_stopped',
    ticketId: ticket.id,
    data: { entryId, minutes },
  });
  return row;
}
