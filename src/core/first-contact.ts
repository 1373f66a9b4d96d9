import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { firstContactClocks, tickets } from '../db/schema.js';
import { alertStaff, audit } from './audit.js';
import { DEFAULT_BUSINESS_CALENDAR } from './business-calendar.js';
import { businessMinutesPerDay, isOpen, nextOpening, subtractBusinessMinutes } from './business-time.js';
import type { CoreContext } from './core-context.js';
import { OPEN_STATUSES } from './lifecycle.js';
import { scheduleTimer, type TimerHandler } from './timers.js';

/**
 * The T2 first-contact clock of a ticket (rule and examples: README, "First contact"). It starts
 * at the later of the message's arrival and the account's activation; the deadline is 2 business
 * days of business time after it (CoreContext.firstContactDeadline). Technicians are reminded
 * in their channel one business day and two business hours before it, and at the deadline a
 * ticket not yet contacted is marked breached and the channel alerted. A technician reply, a slot
 * proposal or a logged phone contact meets it (they set `tickets.first_contact_at`).
 */

/** Business minutes before the deadline of the second reminder. */
const LAST_REMINDER_MINUTES = 120;

/** The later of the message's arrival (never after `now`) and the customer's activation. */
export function firstContactClockStart(
  now: Date,
  arrivedAt: Date | undefined,
  activatedAt: Date | null,
): Date {
  const arrival = arrivedAt && arrivedAt.getTime() < now.getTime() ? arrivedAt : now;
  return activatedAt && activatedAt.getTime() > arrival.getTime() ? activatedAt : arrival;
}

/**
 * Starts (or restarts, with the same start) a ticket's clock: stores its deadline, and schedules
 * its two reminders and its breach, moving them if they were waiting. Inside the change's
 * transaction. Returns the deadline.
 */
export async function startFirstContactClock(
  ctx: CoreContext,
  tx: Tx,
  ticketId: bigint,
  clockFrom: Date,
): Promise<Date> {
  const calendar = ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR;
  const dueAt = ctx.firstContactDeadline(clockFrom);
  await tx.db.update(tickets).set({ firstContactDueAt: dueAt }).where(eq(tickets.id, ticketId));
  await tx.db
    .insert(firstContactClocks)
    .values({ ticketId, clockFrom })
    .onConflictDoUpdate({ target: firstContactClocks.ticketId, set: { clockFrom } });
  const dayBefore = subtractBusinessMinutes(dueAt, businessMinutesPerDay(calendar), calendar);
  const hoursBefore = subtractBusinessMinutes(dueAt, LAST_REMINDER_MINUTES, calendar);
  await scheduleTimer(ctx, tx, { kind: 'first_contact.reminder_day', ticketId, dueAt: dayBefore });
  await scheduleTimer(ctx, tx, { kind: 'first_contact.reminder_hours', ticketId, dueAt: hoursBefore });
  await scheduleTimer(ctx, tx, { kind: 'first_contact.breach', ticketId, dueAt });
  return dueAt;
}

/**
 * Recomputes the deadline of every open, not yet contacted, not breached ticket from its clock's
 * start, with the calendar as it is now (after a closure was added or removed). Returns how many
 * tickets' deadlines moved.
 */
export async function moveFirstContactDeadlines(ctx: CoreContext, tx: Tx): Promise<number> {
  const rows = await tx.db
    .select({ id: tickets.id, dueAt: tickets.firstContactDueAt, clockFrom: firstContactClocks.clockFrom })
    .from(tickets)
    .innerJoin(firstContactClocks, eq(firstContactClocks.ticketId, tickets.id))
    .where(
      and(
        isNull(tickets.firstContactAt),
        isNull(firstContactClocks.breachedAt),
        inArray(tickets.status, [...OPEN_STATUSES]),
      ),
    );
  let moved = 0;
  for (const row of rows) {
    if (ctx.firstContactDeadline(row.clockFrom).getTime() === row.dueAt?.getTime()) continue;
    await startFirstContactClock(ctx, tx, row.id, row.clockFrom);
    moved++;
  }
  return moved;
}

type TicketState = {
  id: bigint;
  number: number;
  subject: string;
  status: string;
  met: Date | null;
  dueAt: Date | null;
};

async function ticketOf(tx: Tx, ticketId: string | null): Promise<TicketState | undefined> {
  if (!ticketId) return undefined;
  const [row] = await tx.db
    .select({
      id: tickets.id,
      number: tickets.number,
      subject: tickets.subject,
      status: tickets.status,
      met: tickets.firstContactAt,
      dueAt: tickets.firstContactDueAt,
    })
    .from(tickets)
    .where(eq(tickets.id, BigInt(ticketId)));
  return row;
}

function pending(ticket: TicketState | undefined): string | undefined {
  if (!ticket) return 'gone';
  if (ticket.met) return 'met';
  if (!OPEN_STATUSES.includes(ticket.status as (typeof OPEN_STATUSES)[number])) return 'closed';
  return undefined;
}

const when = (d: Date, timeZone: string) =>
  new Intl.DateTimeFormat('it-IT', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);

/** A reminder: only while the business is open; outside hours it waits for the next opening. */
export const firstContactReminder: TimerHandler = async (ctx, tx, timer, now) => {
  const ticket = await ticketOf(tx, timer.ticket_id);
  const skip = pending(ticket);
  if (skip || !ticket?.dueAt) return { outcome: skip ?? 'no_deadline' };
  const calendar = ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR;
  if (now.getTime() >= ticket.dueAt.getTime()) return { outcome: 'deadline_passed' };
  if (!isOpen(now, calendar)) {
    const opening = nextOpening(now, calendar);
    return opening.getTime() < ticket.dueAt.getTime()
      ? { postponeTo: opening }
      : { outcome: 'outside_hours' };
  }
  const last = timer.kind === 'first_contact.reminder_hours';
  await alertStaff(tx, {
    kind: 'first_contact_reminder',
    ticketId: ticket.id,
    text: `⏰ Ticket #${ticket.number} «${ticket.subject}»: primo contatto entro ${when(ticket.dueAt, calendar.timeZone)} (${last ? 'mancano 2 ore lavorative' : 'manca 1 giorno lavorativo'}). / First contact due ${ticket.dueAt.toISOString()}.`,
    data: { dueAt: ticket.dueAt.toISOString(), reminder: last ? 'hours' : 'day' },
  });
  return { outcome: 'done' };
};

/** The deadline: a ticket still not contacted is marked breached and the channel alerted. */
export const firstContactBreach: TimerHandler = async (ctx, tx, timer, now) => {
  const ticket = await ticketOf(tx, timer.ticket_id);
  const skip = pending(ticket);
  if (skip || !ticket?.dueAt) return { outcome: skip ?? 'no_deadline' };
  if (now.getTime() < ticket.dueAt.getTime()) return { postponeTo: ticket.dueAt };
  await tx.db
    .update(firstContactClocks)
    .set({ breachedAt: now })
    .where(eq(firstContactClocks.ticketId, ticket.id));
  await audit(tx, {
    actor: 'system',
    action: 'ticket.first_contact_breached',
    ticketId: ticket.id,
    data: { dueAt: ticket.dueAt.toISOString() },
  });
  const calendar = ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR;
  await alertStaff(tx, {
    kind: 'first_contact_breach',
    ticketId: ticket.id,
    text: `🚨 Ticket #${ticket.number} «${ticket.subject}»: termine di primo contatto scaduto (${when(ticket.dueAt, calendar.timeZone)}). / First-contact deadline missed.`,
    data: { dueAt: ticket.dueAt.toISOString() },
  });
  return { outcome: 'done' };
};
