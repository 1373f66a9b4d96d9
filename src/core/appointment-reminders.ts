import { and, eq, gt } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { appointments, customers, tickets } from '../db/schema.js';
import type { ClaimedTimer } from '../db/sql/claim-timer.js';
import { toLocale } from '../templates/format.js';
import { slotList } from '../templates/slots.js';
import {
  addDays,
  type BusinessCalendarSettings,
  businessRangesOn,
  DEFAULT_BUSINESS_CALENDAR,
  instantToZoned,
} from './business-calendar.js';
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
  // A timer left from an earlier appointment of the ticket does not fit this one: skip it.
  if (!due || Math.abs(due.getTime() - new Date(timer.due_at).getTime()) > 60_000)
    return { outcome: 'stale' };
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
