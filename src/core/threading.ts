import type { Tx } from '../db/database.js';
import type { customers, identities, tickets } from '../db/schema.js';
import { findSender as selectSender } from '../db/sql/find-sender.js';
import { openTicketsOfConversation } from '../db/sql/open-tickets-of-conversation.js';
import { threadCandidates } from '../db/sql/thread-candidates.js';
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
  return selectSender(tx.sql, { kind: sender.kind, address: normaliseAddress(sender.kind, sender.address) });
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
  const refs = message.thread;
  return threadCandidates(tx.sql, {
    numbers: (refs.replyTokens ?? [])
      .map((token) => verifyReplyToken(secret, token))
      .filter((n): n is number => n !== undefined),
    channel: message.channel,
    externalIds: refs.inReplyTo ?? [],
    tagNumber: refs.ticketNumber,
  });
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
    const open = await openTicketsOfConversation(tx.db, {
      customerId,
      channel: message.channel,
      conversationId,
      statuses: OPEN_STATUSES,
      limit: 10,
    });
    if (open.length === 1) return { ticket: open[0], rejected };
    if (open.length > 1) return { rejected, choices: open };
  }
  return { rejected };
}
