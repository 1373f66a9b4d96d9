import { and, desc, eq } from 'drizzle-orm';
import { appointments, customers, tickets } from '../db/schema.js';
import { toLocale } from '../templates/format.js';
import { slotList } from '../templates/slots.js';
import { appointmentCalendar } from './appointment-invitations.js';
import { alertStaff, audit } from './audit.js';
import { DEFAULT_BUSINESS_CALENDAR } from './business-calendar.js';
import type { CoreContext } from './core-context.js';
import { NotFoundError } from './errors.js';
import { type Offer, proposeForTicket } from './proposals.js';
import { lockTicket, setStatus, writeTechnicianMessage } from './tickets.js';

/**
 * Cancelling and moving an appointment (#23 item 5), by the customer (`annulla` / `sposta`) or a
 * technician (`/helpdesk cancel N`, `DELETE /api/v1/appointments/:id`). A cancellation raises
 * SEQUENCE and sends an email customer `METHOD:CANCEL` with the same UID (RFC 5546 §3.2.5; a
 * REQUEST or a lower SEQUENCE leaves the event in their calendar). Both sides are told, the ticket
 * goes back to `open`; a move then proposes fresh slots with the same technician, kind and length.
 */
export type AppointmentChange =
  | { status: 'cancelled'; appointmentId: bigint; fresh?: Offer }
  | { status: 'no_appointment' };

/** The ticket's booked appointment still to come, if any. */
export async function bookedAppointmentOf(ctx: CoreContext, ticketId: bigint) {
  const [row] = await ctx.database.db
    .select()
    .from(appointments)
    .where(and(eq(appointments.ticketId, ticketId), eq(appointments.status, 'booked')))
    .orderBy(desc(appointments.startAt))
    .limit(1);
  return row && row.endAt.getTime() > ctx.now().getTime() ? row : undefined;
}

/** Cancels appointment `appointmentId`; with `move`, proposes fresh slots after it. */
export async function cancelAppointment(
  ctx: CoreContext,
  appointmentId: bigint,
  options: { actor: string; by: 'customer' | 'technician'; move?: boolean },
): Promise<AppointmentChange> {
  const done = await ctx.database.transaction(async (tx) => {
    const [current] = await tx.db.select().from(appointments).where(eq(appointments.id, appointmentId));
    if (!current) throw new NotFoundError('appointment', appointmentId.toString());
    const ticket = await lockTicket(tx, current.ticketId);
    const [appointment] = await tx.db
      .update(appointments)
      .set({ status: 'cancelled', sequence: current.sequence + 1 })
      .where(and(eq(appointments.id, appointmentId), eq(appointments.status, 'booked')))
      .returning();
    if (!appointment) return undefined;
    const calendar = ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR;
    const [customer] = await tx.db.select().from(customers).where(eq(customers.id, ticket.customerId));
    const locale = toLocale(customer?.locale);
    const when = (l: 'it' | 'en') =>
      slotList([{ start: appointment.startAt, end: appointment.endAt }], l, calendar.timeZone).slice(3);
    const it = locale === 'it';
    const text = options.move
      ? it
        ? `L'appuntamento di ${when('it')} è annullato: le proponiamo subito nuovi orari.`
        : `The appointment on ${when('en')} is cancelled: we are sending you new times.`
      : it
        ? `L'appuntamento di ${when('it')} è annullato.`
        : `The appointment on ${when('en')} is cancelled.`;
    await writeTechnicianMessage(ctx, tx, {
      ticketNumber: ticket.number,
      author: appointment.technician,
      internal: false,
      actor: options.actor,
      text,
      calendar: appointmentCalendar(ctx, appointment, ticket, 'CANCEL'),
    });
    await alertStaff(tx, {
      kind: options.move ? 'appointment_moved' : 'appointment_cancelled',
      ticketId: ticket.id,
      text: `📅 Ticket #${ticket.number}: appuntamento di ${when('it')} con ${appointment.technician} ${options.move ? 'da spostare' : 'annullato'} ${options.by === 'customer' ? 'dal cliente' : 'dal tecnico'}. / Appointment ${options.move ? 'to move' : 'cancelled'}.`,
      data: { appointmentId: appointment.id.toString(), by: options.by },
    });
    const [fresh] = await tx.db.select().from(tickets).where(eq(tickets.id, ticket.id));
    if (fresh && fresh.status !== 'open') await setStatus(ctx, tx, fresh, 'open', options.actor);
    await audit(tx, {
      actor: options.actor,
      action: options.move ? 'appointment.moved' : 'appointment.cancelled',
      ticketId: ticket.id,
      data: { appointmentId: appointment.id.toString(), sequence: appointment.sequence },
    });
    return { appointment, number: ticket.number };
  });
  ctx.jobs.wake();
  if (!done) return { status: 'no_appointment' };
  const fresh = options.move
    ? await proposeForTicket(ctx, done.number, {
        technician: done.appointment.technician,
        kind: done.appointment.kind as 'remote' | 'onsite',
        durationMinutes: Math.round(
          (done.appointment.endAt.getTime() - done.appointment.startAt.getTime()) / 60_000,
        ),
      })
    : undefined;
  return { status: 'cancelled', appointmentId: done.appointment.id, fresh };
}
