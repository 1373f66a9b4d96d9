import { and, asc, desc, eq, inArray, ne, notInArray, sql } from 'drizzle-orm';
import { alertStaff, audit } from '../core/audit.js';
import { ticketSummaryData } from '../core/billing/billing-store.js';
import { listConsents } from '../core/consent/consent-store.js';
import type { CoreContext } from '../core/core-context.js';
import {
  appointments,
  attachments,
  customers,
  erasureRequests,
  identities,
  messages,
  tickets,
  timeEntries,
} from '../db/schema.js';
import type { MessageDisposition } from '../db/statuses.js';
import type { Locale } from '../templates/format.js';
import { hourSummary } from '../templates/hour-summary.js';

/** What the portal reads about the signed-in customer. Every query is scoped to that customer. */

export async function customerOverview(ctx: CoreContext, customerId: bigint) {
  const [customer] = await ctx.database.db.select().from(customers).where(eq(customers.id, customerId));
  if (!customer) return undefined;
  const ids = await ctx.database.db
    .select({ kind: identities.kind, address: identities.address, verified: identities.verified })
    .from(identities)
    .where(eq(identities.customerId, customerId))
    .orderBy(asc(identities.id));
  const [erasure] = await ctx.database.db
    .select()
    .from(erasureRequests)
    .where(and(eq(erasureRequests.customerId, customerId), eq(erasureRequests.status, 'requested')))
    .limit(1);
  return { customer, identities: ids, erasureRequestedAt: erasure?.requestedAt };
}

/** The customer's tickets, most recently updated first. */
export async function myTickets(ctx: CoreContext, customerId: bigint) {
  return ctx.database.db
    .select({
      number: tickets.number,
      subject: tickets.subject,
      status: tickets.status,
      originChannel: tickets.originChannel,
      updatedAt: tickets.updatedAt,
    })
    .from(tickets)
    .where(eq(tickets.customerId, customerId))
    .orderBy(desc(tickets.updatedAt), desc(tickets.id));
}

// What a customer never sees of a conversation: notes, edits and album items folded into their head.
const HIDDEN_DISPOSITIONS: MessageDisposition[] = ['album_part', 'edit', 'unmatched'];

/** One ticket of the customer with its whole conversation from every channel, or undefined. */
export async function myTicket(ctx: CoreContext, customerId: bigint, number: number) {
  const [ticket] = await ctx.database.db
    .select()
    .from(tickets)
    .where(and(eq(tickets.number, number), eq(tickets.customerId, customerId)));
  if (!ticket) return undefined;
  const rows = await ctx.database.db
    .select({
      id: messages.id,
      direction: messages.direction,
      channel: messages.channel,
      author: messages.author,
      senderName: messages.senderName,
      newText: messages.newText,
      html: messages.html,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .where(
      and(
        eq(messages.ticketId, ticket.id),
        ne(messages.direction, 'note'),
        notInArray(messages.disposition, HIDDEN_DISPOSITIONS),
      ),
    )
    .orderBy(asc(messages.id));
  const files =
    rows.length === 0
      ? []
      : await ctx.database.db
          .select({
            id: attachments.id,
            messageId: attachments.messageId,
            filename: attachments.filename,
            size: attachments.size,
            omittedReason: attachments.omittedReason,
          })
          .from(attachments)
          .where(
            and(
              inArray(
                attachments.messageId,
                rows.map((r) => r.id),
              ),
              eq(attachments.inline, false),
            ),
          )
          .orderBy(asc(attachments.id));
  return {
    ticket,
    messages: rows.map((row) => ({ ...row, attachments: files.filter((f) => f.messageId === row.id) })),
  };
}

/**
 * A kept attachment of one of the customer's tickets (name and type; its content is read piece by
 * piece where it is served, src/db/sql/stored-values.ts), or undefined.
 */
export async function myAttachment(ctx: CoreContext, customerId: bigint, attachmentId: bigint) {
  const [row] = await ctx.database.db
    .select({
      id: attachments.id,
      filename: attachments.filename,
      contentType: attachments.contentType,
      kept: sql<boolean>`${attachments.content} is not null`,
    })
    .from(attachments)
    .innerJoin(messages, eq(messages.id, attachments.messageId))
    .innerJoin(tickets, eq(tickets.id, messages.ticketId))
    .where(
      and(
        eq(attachments.id, attachmentId),
        eq(tickets.customerId, customerId),
        ne(messages.direction, 'note'),
      ),
    );
  return row?.kept ? row : undefined;
}

/** The number of the customer's ticket holding a message (a form sent twice lands on its ticket). */
export async function ticketNumberOfMessage(ctx: CoreContext, customerId: bigint, messageId: string) {
  if (!/^\d{1,18}$/.test(messageId)) return undefined;
  const [row] = await ctx.database.db
    .select({ number: tickets.number })
    .from(messages)
    .innerJoin(tickets, eq(tickets.id, messages.ticketId))
    .where(and(eq(messages.id, BigInt(messageId)), eq(tickets.customerId, customerId)));
  return row?.number;
}

/**
 * The customer's remote-access consent history (T4, T5, T7), newest first: every event with its
 * date, ticket number, technician, outcome (the event) and channel. Read-only evidence.
 */
export async function myConsents(ctx: CoreContext, customerId: bigint) {
  const rows = await listConsents(ctx.database.db, { customerId });
  const numbers = await ticketNumbers(ctx, customerId);
  return rows
    .filter((r) => numbers.has(r.ticketId.toString()))
    .map((r) => ({
      id: r.id,
      at: r.at,
      ticketNumber: numbers.get(r.ticketId.toString())!,
      technician: r.technician,
      event: r.event,
      channel: r.channel,
    }))
    .reverse();
}

async function ticketNumbers(ctx: CoreContext, customerId: bigint): Promise<Map<string, number>> {
  const rows = await ctx.database.db
    .select({ id: tickets.id, number: tickets.number })
    .from(tickets)
    .where(eq(tickets.customerId, customerId));
  return new Map(rows.map((r) => [r.id.toString(), r.number]));
}

/** The customer's appointments (booked and cancelled), split into upcoming and past at `ctx.now()`. */
export async function myAppointments(ctx: CoreContext, customerId: bigint) {
  const rows = await ctx.database.db
    .select({
      id: appointments.id,
      ticketNumber: tickets.number,
      kind: appointments.kind,
      status: appointments.status,
      startAt: appointments.startAt,
      endAt: appointments.endAt,
    })
    .from(appointments)
    .innerJoin(tickets, eq(tickets.id, appointments.ticketId))
    .where(eq(tickets.customerId, customerId))
    .orderBy(asc(appointments.startAt), asc(appointments.id));
  const now = ctx.now().getTime();
  return {
    upcoming: rows.filter((r) => r.endAt.getTime() > now),
    past: rows.filter((r) => r.endAt.getTime() <= now).reverse(),
  };
}

/**
 * The hour summary (T6) of each of the customer's tickets with time logged, as the billing module
 * renders it (entries, totals, money as `€ 45,00`) in `locale`, without the closing "reply to this
 * message" line, which is for the channel message. Newest ticket first.
 */
export async function myHourSummaries(ctx: CoreContext, customerId: bigint, locale: Locale) {
  const withTime = await ctx.database.db
    .selectDistinct({ number: tickets.number, status: tickets.status })
    .from(timeEntries)
    .innerJoin(tickets, eq(tickets.id, timeEntries.ticketId))
    .where(eq(tickets.customerId, customerId))
    .orderBy(desc(tickets.number));
  if (withTime.length === 0) return [];
  return ctx.database.transaction(async (tx) => {
    const out: { ticketNumber: number; text: string }[] = [];
    for (const t of withTime) {
      const data = await ticketSummaryData(ctx, tx, t.number);
      if (data.ticket.customerId !== customerId) continue;
      const text = hourSummary(
        {
          ticketNumber: data.ticket.number,
          subject: data.ticket.subject,
          bill: data.bill,
          hasPrepaid: data.hasPrepaid,
          prepaidLeftMinutes: data.prepaidLeftMinutes,
          pendingCount: data.pending.length,
          final: t.status === 'resolved' || t.status === 'closed',
        },
        locale,
      ).text;
      out.push({ ticketNumber: t.number, text: text.split('\n\n').slice(0, -1).join('\n\n') });
    }
    return out;
  });
}

/** Quick access (T4) on or off, effective at once; audited. */
export async function setQuickAccess(ctx: CoreContext, customerId: bigint, on: boolean): Promise<void> {
  await ctx.database.transaction(async (tx) => {
    await tx.db.update(customers).set({ quickAccess: on }).where(eq(customers.id, customerId));
    await audit(tx, { actor: 'web', action: on ? 'quick_access.on' : 'quick_access.off', customerId });
  });
}

/** Records the customer's request to erase their data (T8) for staff to confirm; asking twice keeps one. */
export async function requestErasure(ctx: CoreContext, customerId: bigint): Promise<void> {
  await ctx.database.transaction(async (tx) => {
    const [open] = await tx.db
      .select({ id: erasureRequests.id })
      .from(erasureRequests)
      .where(and(eq(erasureRequests.customerId, customerId), eq(erasureRequests.status, 'requested')));
    if (open) return;
    await tx.db.insert(erasureRequests).values({ customerId, requestedAt: ctx.now() });
    await audit(tx, { actor: 'web', action: 'erasure.requested', customerId });
    await alertStaff(tx, {
      kind: 'erasure_request',
      text: `Customer ${customerId} asked for the erasure of their data: confirm it from the dashboard`,
      data: { customerId: customerId.toString() },
    });
  });
}
