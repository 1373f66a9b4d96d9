import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { customers, deliveries, identities, messages, tickets } from '../db/schema.js';
import type { InboundMessage, SenderIdentity } from './channel.js';
import { OPEN_STATUSES } from './lifecycle.js';
import { verifyReplyToken } from './reply-token.js';

export type TicketRow = typeof tickets.$inferSelect;
export type CustomerRow = typeof customers.$inferSelect;
export type IdentityRow = typeof identities.$inferSelect;

/** Identity addresses are compared case-insensitively for email, exactly elsewhere. */
export function normaliseAddress(kind: string, address: string): string {
  return kind === 'email' ? address.trim().toLowerCase() : address.trim();
}

/** The verified identity and its customer, or undefined for an unknown sender. */
export async function findSender(
  tx: Tx,
  sender: SenderIdentity,
): Promise<{ identity: IdentityRow; customer: CustomerRow } | undefined> {
  const [row] = await tx.db
    .select({ identity: identities, customer: customers })
    .from(identities)
    .innerJoin(customers, eq(customers.id, identities.customerId))
    .where(
      and(
        eq(identities.kind, sender.kind),
        eq(identities.address, normaliseAddress(sender.kind, sender.address)),
        eq(identities.verified, true),
      ),
    )
    .limit(1);
  return row;
}

export interface ThreadMatch {
  /** The ticket this message belongs to, owned by the sender's customer. */
  ticket?: TicketRow;
  /** Tickets the message pointed at but whose customer does not own the sender. */
  rejected: number[];
  /** Several open tickets in the conversation and nothing else to decide: ask the customer. */
  choices?: TicketRow[];
}

async function ticketsReferencedBy(tx: Tx, message: InboundMessage, secret: string): Promise<TicketRow[]> {
  const found: TicketRow[] = [];
  const refs = message.thread;
  const numbers = (refs.replyTokens ?? [])
    .map((token) => verifyReplyToken(secret, token))
    .filter((n): n is number => n !== undefined);
  if (numbers.length > 0) {
    found.push(...(await tx.db.select().from(tickets).where(inArray(tickets.number, numbers))));
  }
  const externalIds = refs.inReplyTo ?? [];
  if (externalIds.length > 0) {
    const viaInbound = await tx.db
      .select({ ticket: tickets })
      .from(messages)
      .innerJoin(tickets, eq(tickets.id, messages.ticketId))
      .where(
        and(
          eq(messages.channel, message.channel),
          eq(messages.direction, 'inbound'),
          inArray(messages.externalId, externalIds),
        ),
      );
    const viaOutbound = await tx.db
      .select({ ticket: tickets })
      .from(deliveries)
      .innerJoin(messages, eq(messages.id, deliveries.messageId))
      .innerJoin(tickets, eq(tickets.id, messages.ticketId))
      .where(
        and(
          eq(deliveries.channel, message.channel),
          or(
            inArray(deliveries.externalId, externalIds),
            // The later parts of a message a chat channel split in several.
            ...externalIds.map((id) => sql`${deliveries.extraExternalIds} @> ${JSON.stringify([id])}::jsonb`),
          ),
        ),
      );
    found.push(...viaOutbound.map((r) => r.ticket), ...viaInbound.map((r) => r.ticket));
  }
  if (refs.ticketNumber !== undefined) {
    found.push(...(await tx.db.select().from(tickets).where(eq(tickets.number, refs.ticketNumber))));
  }
  return found;
}

/**
 * Threading (PRODUCT.md): our reply token, then the messages replied to, then a subject tag; a
 * candidate counts only if its customer owns the sender. Chat channels then fall back to the
 * customer's open ticket in that conversation. `forceNew` skips all of it.
 */
export async function matchThread(
  tx: Tx,
  message: InboundMessage,
  customerId: bigint,
  secret: string,
): Promise<ThreadMatch> {
  if (message.thread.forceNew) return { rejected: [] };
  const candidates = await ticketsReferencedBy(tx, message, secret);
  const rejected: number[] = [];
  for (const ticket of candidates) {
    if (ticket.customerId === customerId) return { ticket, rejected };
    if (!rejected.includes(ticket.number)) rejected.push(ticket.number);
  }
  const conversationId = message.thread.conversationId;
  if (conversationId && candidates.length === 0) {
    const open = await tx.db
      .select()
      .from(tickets)
      .where(
        and(
          eq(tickets.customerId, customerId),
          eq(tickets.originChannel, message.channel),
          eq(tickets.conversationId, conversationId),
          inArray(tickets.status, [...OPEN_STATUSES]),
        ),
      )
      .orderBy(desc(tickets.id))
      .limit(10);
    if (open.length === 1) return { ticket: open[0], rejected };
    if (open.length > 1) return { rejected, choices: open };
  }
  return { rejected };
}
