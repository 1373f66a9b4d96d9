import { and, eq, gt, inArray, ne, sql } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { appointments, customers, offeredSlots, slotOffers, tickets } from '../db/schema.js';
import { toLocale } from '../templates/format.js';
import { slotList } from '../templates/slots.js';
import { appointmentCalendar } from './appointment-invitations.js';
import { scheduleAppointmentReminders } from './appointment-reminders.js';
import { alertStaff, audit } from './audit.js';
import { DEFAULT_BUSINESS_CALENDAR } from './business-calendar.js';
import { addBusinessMinutes, businessMinutesPerDay } from './business-time.js';
import type { CoreContext } from './core-context.js';
import { databaseErrorCode } from './errors.js';
import { type Interval, proposeSlots } from './slots.js';
import { getTicketByNumber, lockTicket, setStatus, writeTechnicianMessage } from './tickets.js';

/**
 * Slot proposals and booking (#23 item 4). A technician asks for slots; the customer gets them
 * numbered in their channel and language, with buttons on chat channels; picking one books it.
 * The store decides a race for one slot (appointments' partial unique index): the loser gets
 * fresh proposals. Offers expire after 2 business days. Sending counts as first contact (T2).
 */

export interface ProposalRequest {
  technician: string;
  kind?: 'remote' | 'onsite';
  durationMinutes?: number;
  count?: number;
  /** On-site travel time kept free before and after, minutes (default SLOT_TRAVEL_BUFFER_MINUTES). */
  travelBufferMinutes?: number;
}

export interface Offer {
  offerId: bigint;
  slots: Array<Interval & { number: number }>;
  expiresAt: Date;
}

/** Proposes slots for a ticket and sends them to its customer, in one transaction. */
export async function proposeForTicket(
  ctx: CoreContext,
  ticketNumber: number,
  request: ProposalRequest,
): Promise<Offer> {
  const offer = await ctx.database.transaction((tx) => writeProposal(ctx, tx, ticketNumber, request));
  ctx.jobs.wake();
  return offer;
}

async function writeProposal(
  ctx: CoreContext,
  tx: Tx,
  ticketNumber: number,
  request: ProposalRequest,
): Promise<Offer> {
  const calendar = ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR;
  const now = ctx.now();
  const ticket = await lockTicket(tx, (await getTicketByNumber(tx, ticketNumber)).id);
  // One proposal at a time per technician: what one offers, the next one sees as taken.
  await tx.sql.query('select pg_advisory_xact_lock(hashtext($1))', [`slots:${request.technician}`]);
  await tx.db
    .update(slotOffers)
    .set({ status: 'superseded' })
    .where(and(eq(slotOffers.ticketId, ticket.id), eq(slotOffers.status, 'open')));
  const booked = await tx.db
    .select({ start: appointments.startAt, end: appointments.endAt })
    .from(appointments)
    .where(
      and(
        eq(appointments.technician, request.technician),
        eq(appointments.status, 'booked'),
        gt(appointments.endAt, now),
      ),
    );
  const offered = await tx.db
    .select({ start: offeredSlots.startAt, end: offeredSlots.endAt })
    .from(offeredSlots)
    .innerJoin(slotOffers, eq(slotOffers.id, offeredSlots.offerId))
    .where(
      and(
        eq(slotOffers.technician, request.technician),
        eq(slotOffers.status, 'open'),
        gt(slotOffers.expiresAt, now),
        ne(slotOffers.ticketId, ticket.id),
      ),
    );
  const kind = request.kind ?? 'remote';
  const durationMinutes = request.durationMinutes ?? 60;
  const slots = proposeSlots(
    {
      now,
      count: request.count ?? 3,
      durationMinutes,
      bufferMinutes:
        kind === 'onsite' ? (request.travelBufferMinutes ?? ctx.slots?.travelBufferMinutes ?? 30) : 0,
      minNoticeBusinessMinutes: ctx.slots?.minNoticeBusinessMinutes ?? 120,
      busy: [...booked, ...offered],
    },
    calendar,
  );
  const expiresAt = addBusinessMinutes(now, 2 * businessMinutesPerDay(calendar), calendar);
  const [offer] = await tx.db
    .insert(slotOffers)
    .values({ ticketId: ticket.id, technician: request.technician, kind, durationMinutes, expiresAt })
    .returning({ id: slotOffers.id });
  const numbered = slots.map((slot, i) => ({ ...slot, number: i + 1 }));
  if (numbered.length > 0) {
    await tx.db
      .insert(offeredSlots)
      .values(
        numbered.map((s) => ({ offerId: offer!.id, number: s.number, startAt: s.start, endAt: s.end })),
      );
  }
  const [customer] = await tx.db.select().from(customers).where(eq(customers.id, ticket.customerId));
  const locale = toLocale(customer?.locale);
  const list = slotList(slots, locale, calendar.timeZone);
  const text =
    numbered.length === 0
      ? locale === 'it'
        ? 'Al momento non abbiamo orari liberi da proporle: la ricontatteremo a breve.'
        : 'We have no free times to offer right now: we will contact you again shortly.'
      : locale === 'it'
        ? `Possiamo intervenire ${kind === 'onsite' ? 'presso di lei' : 'da remoto'} in uno di questi orari:\n${list}\nRisponda con il numero scelto (es. 2), oppure "nessuno" per altri orari.`
        : `We can help you ${kind === 'onsite' ? 'on site' : 'remotely'} at one of these times:\n${list}\nReply with the number you choose (e.g. 2), or "none" for other times.`;
  await writeTechnicianMessage(ctx, tx, {
    ticketNumber: ticket.number,
    author: request.technician,
    text,
    internal: false,
    actor: `technician:${request.technician}`,
    buttons:
      numbered.length > 0
        ? [numbered.map((s) => ({ label: String(s.number), data: `slot:${offer!.id}:${s.number}` }))]
        : undefined,
  });
  if (numbered.length > 0 && ticket.status !== 'waiting_customer')
    await setStatus(ctx, tx, ticket, 'waiting_customer', `technician:${request.technician}`);
  await audit(tx, {
    actor: `technician:${request.technician}`,
    action: 'ticket.slots_proposed',
    ticketId: ticket.id,
    data: { offerId: offer!.id.toString(), slots: slots.map((s) => s.start.toISOString()) },
  });
  return { offerId: offer!.id, slots: numbered, expiresAt };
}

export type BookingResult =
  | { status: 'booked'; appointmentId: bigint; start: Date; end: Date }
  | { status: 'taken'; fresh: Offer }
  | { status: 'expired' | 'no_offer' | 'no_such_slot' };

/**
 * Books slot `number` of the ticket's open offer. If the store refuses it (another booking took
 * that technician's start first) the offer is superseded by fresh proposals, sent to the customer.
 */
export async function bookSlot(
  ctx: CoreContext,
  ticketId: bigint,
  number: number,
  actor: string,
): Promise<BookingResult> {
  try {
    const result = await ctx.database.transaction((tx) => writeBooking(ctx, tx, ticketId, number, actor));
    ctx.jobs.wake();
    return result;
  } catch (error) {
    if (databaseErrorCode(error) !== '23505') throw error;
    const [ticket] = await ctx.database.db.select().from(tickets).where(eq(tickets.id, ticketId));
    const [offer] = await ctx.database.db
      .select()
      .from(slotOffers)
      .where(and(eq(slotOffers.ticketId, ticketId), eq(slotOffers.status, 'open')));
    const fresh = await proposeForTicket(ctx, ticket!.number, {
      technician: offer?.technician ?? 'helpdesk',
      kind: (offer?.kind as 'remote' | 'onsite' | undefined) ?? 'remote',
      durationMinutes: offer?.durationMinutes,
    });
    return { status: 'taken', fresh };
  }
}

async function writeBooking(
  ctx: CoreContext,
  tx: Tx,
  ticketId: bigint,
  number: number,
  actor: string,
): Promise<BookingResult> {
  const now = ctx.now();
  const ticket = await lockTicket(tx, ticketId);
  const [offer] = await tx.db
    .select()
    .from(slotOffers)
    .where(and(eq(slotOffers.ticketId, ticketId), inArray(slotOffers.status, ['open'])))
    .for('update');
  if (!offer) return { status: 'no_offer' };
  if (offer.expiresAt.getTime() <= now.getTime()) {
    await tx.db.update(slotOffers).set({ status: 'expired' }).where(eq(slotOffers.id, offer.id));
    return { status: 'expired' };
  }
  const [slot] = await tx.db
    .select()
    .from(offeredSlots)
    .where(and(eq(offeredSlots.offerId, offer.id), eq(offeredSlots.number, number)));
  if (!slot) return { status: 'no_such_slot' };
  const [appointment] = await tx.db
    .insert(appointments)
    .values({
      ticketId,
      offeredSlotId: slot.id,
      technician: offer.technician,
      kind: offer.kind,
      startAt: slot.startAt,
      endAt: slot.endAt,
      uid: sql`'appointment-' || gen_random_uuid()::text || '@helpdesk'`,
    })
    .returning();
  await scheduleAppointmentReminders(ctx, tx, appointment!);
  await tx.db.update(slotOffers).set({ status: 'booked' }).where(eq(slotOffers.id, offer.id));
  await setStatus(ctx, tx, ticket, 'scheduled', actor);
  const calendar = ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR;
  const when = slotList([{ start: slot.startAt, end: slot.endAt }], 'it', calendar.timeZone).slice(3);
  await alertStaff(tx, {
    kind: 'appointment_booked',
    ticketId,
    text: `📅 Ticket #${ticket.number}: appuntamento ${offer.kind === 'onsite' ? 'presso il cliente' : 'da remoto'} ${when} con ${offer.technician}. / Appointment booked.`,
    data: { appointmentId: appointment!.id.toString() },
  });
  const [customer] = await tx.db.select().from(customers).where(eq(customers.id, ticket.customerId));
  const locale = toLocale(customer?.locale);
  const slotText = slotList([{ start: slot.startAt, end: slot.endAt }], locale, calendar.timeZone).slice(3);
  await writeTechnicianMessage(ctx, tx, {
    ticketNumber: ticket.number,
    author: offer.technician,
    internal: false,
    actor,
    text:
      locale === 'it'
        ? `Appuntamento confermato: ${slotText}. Per annullarlo risponda "annulla", per spostarlo "sposta".`
        : `Appointment confirmed: ${slotText}. Reply "cancel" to cancel it, or "move" to move it.`,
    calendar: appointmentCalendar(ctx, appointment!, ticket, 'REQUEST'),
  });
  await audit(tx, {
    actor,
    action: 'appointment.booked',
    ticketId,
    data: { appointmentId: appointment!.id.toString() },
  });
  return { status: 'booked', appointmentId: appointment!.id, start: slot.startAt, end: slot.endAt };
}
