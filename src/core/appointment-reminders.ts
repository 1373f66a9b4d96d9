import { and, eq, gt, sql } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { appointments, customers, staffAlerts, tickets, timers } from '../db/schema.js';
import type { ClaimedTimer } from '../db/sql/claim-timer.js';
import { toLocale } from '../templates/format.js';
import { slotList } from '../templates/slots.js';
import { alertStaff } from './audit.js';
import {
  addDays,
  type BusinessCalendarSettings,
  businessRangesOn,
  DEFAULT_BUSINESS_CALENDAR,
  instantToZoned,
} from './business-calendar.js';
import { isOpen, nextOpening } from './business-time.js';
import type { CoreContext } from './core-context.js';
import { writeTechnicianMessage } from './tickets.js';
import { scheduleTimer, type TimerResult } from './timers.js';

/**
 * Reminders of an appointment to the customer (#23 item 5): at the first opening of the business
 * day before it, and one hour (clock time) before it. They are timers keyed by the ticket (one
 * coming appointment per ticket): booking again moves them; firing checks the appointment is
 * still booked and still that far ahead, so a cancelled or moved one is never reminded.
 */

/** The first opening of the business day before `start`'s local date (holidays and closures skipped). */
export function dayBeforeReminderAt(start: Date, calendar: BusinessCalendarSettings): Date | undefined {
  let date = instantToZoned(start, calendar.timeZone).date;
  for (let i = 0; i < 30; i++) {
    date = addDays(date, -1);
    const ranges = businessRangesOn(date, calendar);
    if (ranges.length > 0) return ranges[0]!.start;
  }
  return undefined;
}

/** Schedules both reminders of a booked appointment; those already past are left out. */
export async function scheduleAppointmentReminders(
  ctx: CoreContext,
  tx: Tx,
  appointment: { ticketId: bigint; startAt: Date },
): Promise<void> {
  const calendar = ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR;
  const now = ctx.now().getTime();
  const dayBefore = dayBeforeReminderAt(appointment.startAt, calendar);
  if (dayBefore && dayBefore.getTime() > now)
    await scheduleTimer(ctx, tx, {
      kind: 'appointment.reminder_day',
      ticketId: appointment.ticketId,
      dueAt: dayBefore,
    });
  const hourBefore = new Date(appointment.startAt.getTime() - 3600_000);
  if (hourBefore.getTime() > now)
    await scheduleTimer(ctx, tx, {
      kind: 'appointment.reminder_hour',
      ticketId: appointment.ticketId,
      dueAt: hourBefore,
    });
}

/**
 * After the business calendar changed (a closure added or removed, business hours changed): moves
 * each coming appointment's day-before reminder that has not fired to the first opening of the
 * new business day before it (otherwise it would fire at the old time and be skipped as stale), and
 * alerts staff once per appointment that now starts outside business hours, to agree a new time
 * with the customer. Returns how many reminders moved.
 */
export async function moveAppointmentReminders(ctx: CoreContext, tx: Tx): Promise<number> {
  const calendar = ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR;
  const now = ctx.now();
  const rows = await tx.db
    .select({
      ticketId: appointments.ticketId,
      startAt: appointments.startAt,
      endAt: appointments.endAt,
      number: tickets.number,
      reminderDueAt: timers.dueAt,
      reminderFiredAt: timers.firedAt,
    })
    .from(appointments)
    .innerJoin(tickets, eq(tickets.id, appointments.ticketId))
    .leftJoin(timers, eq(timers.key, sql`'appointment.reminder_day:' || ${appointments.ticketId}`))
    .where(and(eq(appointments.status, 'booked'), gt(appointments.startAt, now)));
  let moved = 0;
  for (const row of rows) {
    if (!isOpen(row.startAt, calendar)) await alertOutsideHours(tx, row, calendar.timeZone);
    if (row.reminderFiredAt || !row.reminderDueAt) continue;
    const day = dayBeforeReminderAt(row.startAt, calendar);
    if (!day) continue;
    // The new day before may already have begun or passed: remind now (or at the next opening)
    // rather than never, unless that is within the hour-before reminder.
    const due = day.getTime() > now.getTime() ? day : nextOpening(now, calendar);
    if (due.getTime() >= row.startAt.getTime() - 3600_000) continue;
    if (due.getTime() === row.reminderDueAt.getTime()) continue;
    await scheduleTimer(ctx, tx, { kind: 'appointment.reminder_day', ticketId: row.ticketId, dueAt: due });
    moved++;
  }
  return moved;
}

/** Alerts staff of an appointment outside business hours, once per appointment time. */
async function alertOutsideHours(
  tx: Tx,
  appointment: { ticketId: bigint; number: number; startAt: Date; endAt: Date },
  timeZone: string,
): Promise<void> {
  const startAt = appointment.startAt.toISOString();
  const [already] = await tx.db
    .select({ id: staffAlerts.id })
    .from(staffAlerts)
    .where(
      and(
        eq(staffAlerts.kind, 'appointment_outside_hours'),
        eq(staffAlerts.ticketId, appointment.ticketId),
        sql`${staffAlerts.data}->>'startAt' = ${startAt}`,
      ),
    );
  if (already) return;
  const slot = [{ start: appointment.startAt, end: appointment.endAt }];
  await alertStaff(tx, {
    kind: 'appointment_outside_hours',
    ticketId: appointment.ticketId,
    text: `📅 Ticket #${appointment.number}: l'appuntamento ${slotList(slot, 'it', timeZone).slice(3)} ora cade fuori dall'orario di apertura; concordare un nuovo orario con il cliente. / The appointment ${slotList(slot, 'en', timeZone).slice(3)} now falls outside business hours; agree a new time with the customer.`,
    data: { startAt },
  });
}

/** Timer handler of both reminders: tells the customer, in their language, when it is. */
export async function appointmentReminder(
  ctx: CoreContext,
  tx: Tx,
  timer: ClaimedTimer,
  now: Date,
): Promise<TimerResult> {
  if (timer.ticket_id === null) return { outcome: 'no_ticket' };
  const ticketId = BigInt(timer.ticket_id);
  const [appointment] = await tx.db
    .select()
    .from(appointments)
    .where(
      and(
        eq(appointments.ticketId, ticketId),
        eq(appointments.status, 'booked'),
        gt(appointments.startAt, now),
      ),
    );
  if (!appointment) return { outcome: 'no_appointment' };
  const calendar = ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR;
  const due =
    timer.kind === 'appointment.reminder_day'
      ? dayBeforeReminderAt(appointment.startAt, calendar)
      : new Date(appointment.startAt.getTime() - 3600_000);
  // A timer left from an earlier appointment of the ticket does not fit this one: skip it. A
  // day-before reminder moved to "now" by a calendar change fires later than the day's opening.
  const timerDue = new Date(timer.due_at).getTime();
  const fits =
    due !== undefined &&
    (timer.kind === 'appointment.reminder_day'
      ? timerDue >= due.getTime() - 60_000
      : Math.abs(due.getTime() - timerDue) <= 60_000);
  if (!fits) return { outcome: 'stale' };
  const [ticket] = await tx.db.select().from(tickets).where(eq(tickets.id, ticketId));
  const [customer] = await tx.db.select().from(customers).where(eq(customers.id, ticket!.customerId));
  const locale = toLocale(customer?.locale);
  const when = slotList(
    [{ start: appointment.startAt, end: appointment.endAt }],
    locale,
    calendar.timeZone,
  ).slice(3);
  await writeTechnicianMessage(ctx, tx, {
    ticketNumber: ticket!.number,
    author: appointment.technician,
    internal: false,
    actor: 'system',
    text:
      locale === 'it'
        ? `Promemoria: appuntamento ${appointment.kind === 'onsite' ? 'presso di lei' : 'da remoto'} ${when}. Per annullarlo risponda "annulla", per spostarlo "sposta".`
        : `Reminder: ${appointment.kind === 'onsite' ? 'on-site' : 'remote'} appointment ${when}. Reply "cancel" to cancel it, or "move" to move it.`,
  });
  return { outcome: 'done' };
}
