import { and, desc, eq, gt } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { appointments, slotOffers, tickets } from '../db/schema.js';
import { cancelAppointment } from './appointment-changes.js';
import { alertStaff } from './audit.js';
import { DEFAULT_BUSINESS_CALENDAR } from './business-calendar.js';
import type { InboundMessage } from './channel.js';
import type { CoreContext } from './core-context.js';
import { type BookingResult, bookSlot } from './proposals.js';
import type { TicketRow } from './threading.js';
import { writeTechnicianMessage } from './tickets.js';

/**
 * The customer's answer to a slot offer (#23 item 4), read in the core before normal ingest: a
 * number books that slot, `nessuno` / `none` asks the technician for new ones, an answer to an
 * expired offer gets the expiry and alerts the technician. The message itself is still stored on
 * the ticket (raw kept); the booking runs after the ingest transaction commits, in its own, so a
 * lost race (unique index) never rolls back the stored message.
 */

export type SlotAnswer = { kind: 'pick'; number: number } | { kind: 'none' } | { kind: 'cancel' | 'move' };

/** Reads `2`, `2.`, `il 2`, `option 2`, `n. 2`, `nessuno`, `none`; anything else is not an answer. Pure. */
export function interpretSlotAnswer(text: string | undefined): SlotAnswer | undefined {
  const t = (text ?? '').trim().toLowerCase();
  if (/^(annulla|annullare|disdico|cancel)[.!]?$/.test(t)) return { kind: 'cancel' };
  if (/^(sposta|spostare|move|reschedule)[.!]?$/.test(t)) return { kind: 'move' };
  if (/^(nessuno|nessuna|nessuno dei due|none|none of them|neither)[.!]?$/.test(t)) return { kind: 'none' };
  const match =
    /^(?:(?:il|la|lo|l'|numero|num\.?|n\.?|opzione|option|number|no\.?|#)\s*)?(\d{1,2})\s*[.)!]?$/.exec(t);
  return match ? { kind: 'pick', number: Number(match[1]) } : undefined;
}

/** What ingest must do after commit: book the picked slot, or cancel / move the appointment. */
export type AfterSlotAnswer = () => Promise<unknown>;

/**
 * Inside the ingest transaction, with the message already on `ticket`: handles an answer to the
 * ticket's latest offer. Returns the booking to run after commit, or undefined.
 */
export async function answerSlotOffer(
  ctx: CoreContext,
  tx: Tx,
  ticket: TicketRow,
  message: InboundMessage,
): Promise<AfterSlotAnswer | undefined> {
  const answer = interpretSlotAnswer(message.newText);
  if (!answer) return undefined;
  const actor = `${message.sender.kind}:${message.sender.address}`;
  if (answer.kind === 'cancel' || answer.kind === 'move') {
    const [appointment] = await tx.db
      .select({ id: appointments.id })
      .from(appointments)
      .where(
        and(
          eq(appointments.ticketId, ticket.id),
          eq(appointments.status, 'booked'),
          gt(appointments.endAt, ctx.now()),
        ),
      );
    if (!appointment) return undefined;
    return () =>
      cancelAppointment(ctx, appointment.id, { actor, by: 'customer', move: answer.kind === 'move' });
  }
  const [offer] = await tx.db
    .select()
    .from(slotOffers)
    .where(and(eq(slotOffers.ticketId, ticket.id)))
    .orderBy(desc(slotOffers.id))
    .limit(1);
  if (!offer || (offer.status !== 'open' && offer.status !== 'expired')) return undefined;
  if (offer.status === 'expired' || offer.expiresAt.getTime() <= ctx.now().getTime()) {
    await expireOffer(ctx, tx, ticket, offer.id, offer.technician, offer.expiresAt);
    return undefined;
  }
  if (answer.kind === 'none') {
    await tx.db.update(slotOffers).set({ status: 'declined' }).where(eq(slotOffers.id, offer.id));
    await alertStaff(tx, {
      kind: 'slots_declined',
      ticketId: ticket.id,
      text: `🗓️ Ticket #${ticket.number}: il cliente non può in nessuno degli orari proposti da ${offer.technician}; proporne di nuovi. / The customer declined all proposed slots: propose new ones.`,
      data: { offerId: offer.id.toString(), technician: offer.technician },
    });
    return undefined;
  }
  if (answer.kind !== 'pick') return undefined;
  const picked = answer.number;
  return () => bookSlot(ctx, ticket.id, picked, actor);
}

async function expireOffer(
  ctx: CoreContext,
  tx: Tx,
  ticket: TicketRow,
  offerId: bigint,
  technician: string,
  expiresAt: Date,
): Promise<void> {
  await tx.db.update(slotOffers).set({ status: 'expired' }).where(eq(slotOffers.id, offerId));
  const when = expiresAt.toLocaleString('it-IT', {
    timeZone: (ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone,
    dateStyle: 'full',
    timeStyle: 'short',
  });
  const whenEn = expiresAt.toLocaleString('en-GB', {
    timeZone: (ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone,
    dateStyle: 'full',
    timeStyle: 'short',
  });
  await writeTechnicianMessage(ctx, tx, {
    ticketNumber: ticket.number,
    author: technician,
    internal: false,
    actor: 'system',
    text: `Gli orari proposti sono scaduti il ${when}: il tecnico gliene proporrà di nuovi a breve.\nThe proposed times expired on ${whenEn}: the technician will propose new ones shortly.`,
  });
  await alertStaff(tx, {
    kind: 'slots_expired',
    ticketId: ticket.id,
    text: `⌛ Ticket #${ticket.number}: il cliente ha risposto a orari scaduti; proporne di nuovi (${technician}). / The customer answered an expired offer: propose new slots.`,
    data: { offerId: offerId.toString(), technician },
  });
}

export type SlotButtonResult = BookingResult | { status: 'not_yours' | 'not_found' };

/**
 * A slot button (`slot:<offerId>:<n>`) pressed by the customer behind `customerId`: books slot n
 * of that offer. Only the ticket's customer may book; an offer that is no longer the ticket's open
 * one answers as `bookSlot` does (`no_offer`, `expired`).
 */
export async function pressSlotButton(
  ctx: CoreContext,
  customerId: bigint | undefined,
  data: string,
  actor: string,
): Promise<SlotButtonResult | undefined> {
  const match = /^slot:(\d{1,18}):(\d{1,2})$/.exec(data);
  if (!match) return undefined;
  const [row] = await ctx.database.db
    .select({ offer: slotOffers, ticket: tickets })
    .from(slotOffers)
    .innerJoin(tickets, eq(tickets.id, slotOffers.ticketId))
    .where(eq(slotOffers.id, BigInt(match[1]!)));
  if (!row) return { status: 'not_found' };
  if (customerId === undefined || row.ticket.customerId !== customerId) return { status: 'not_yours' };
  if (row.offer.status === 'expired' || (row.offer.status === 'open' && row.offer.expiresAt <= ctx.now())) {
    await ctx.database.transaction((tx) =>
      expireOffer(ctx, tx, row.ticket, row.offer.id, row.offer.technician, row.offer.expiresAt),
    );
    ctx.jobs.wake();
    return { status: 'expired' };
  }
  if (row.offer.status !== 'open') return { status: 'no_offer' };
  return bookSlot(ctx, row.ticket.id, Number(match[2]), actor);
}

/** The customer's text answer to a booking outcome, in their language (for buttons). */
export function bookingAnswer(result: SlotButtonResult, locale: 'it' | 'en'): string {
  const it = locale === 'it';
  switch (result.status) {
    case 'booked':
      return it ? 'Appuntamento confermato.' : 'Appointment confirmed.';
    case 'taken':
      return it
        ? 'Orario appena preso: le abbiamo mandato nuovi orari.'
        : 'That time was just taken: we sent you new times.';
    case 'expired':
      return it ? 'Questi orari sono scaduti.' : 'These times have expired.';
    case 'not_yours':
      return it ? 'Questi orari non sono per lei.' : 'These times are not for you.';
    default:
      return it ? 'Questa proposta non è più valida.' : 'This proposal is no longer valid.';
  }
}
