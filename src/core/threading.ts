import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { rowOf, selectColumns } from '../db/raw-rows.js';
import { customers, identities, tickets } from '../db/schema.js';
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

const SENDER_SQL = `select ${selectColumns(identities, 'i')}, ${selectColumns(customers, 'c')}
  from identities i join customers c on c.id = i.customer_id
  where i.kind = $1 and i.address = $2 and i.verified limit 1`;

/** The verified identity and its customer, or undefined for an unknown sender. */
export async function findSender(
  tx: Tx,
  sender: SenderIdentity,
): Promise<{ identity: IdentityRow; customer: CustomerRow } | undefined> {
  const { rows } = await tx.sql.query(SENDER_SQL, [
    sender.kind,
    normaliseAddress(sender.kind, sender.address),
  ]);
  const row = rows[0];
  return row ? { identity: rowOf(identities, row, 'i'), customer: rowOf(customers, row, 'c') } : undefined;
}

export interface ThreadMatch {
  /** The ticket this message belongs to, owned by the sender's customer. */
  ticket?: TicketRow;
  /** Tickets the message pointed at but whose customer does not own the sender. */
  rejected: number[];
  /** Several open tickets in the conversation and nothing else to decide: ask the customer. */
  choices?: TicketRow[];
}

const TICKET_COLUMNS = selectColumns(tickets, 't');

/**
 * Every ticket the message points at, in threading order: reply token, then the messages it
 * replies to (ours, including later parts of a split chat message, then the customer's own), then
 * the subject tag. One statement, as this runs for every reply, holding only the branches whose
 * hints the message carries: a mail with just a subject tag costs one index lookup, not five.
 * Each shape is a separate prepared statement (at most 7 shapes).
 */
export function candidatesSql(hasNumbers: boolean, hasExternalIds: boolean, hasTag: boolean): string {
  const branches: string[] = [];
  // unnest + LATERAL … OFFSET 0 below steer the planner: docs/performance.md#fewer-combined-statements-per-message
  if (hasNumbers) branches.push('select t.id, 1 as rank from tickets t where t.number = any($1::int[])');
  if (hasExternalIds) {
    branches.push(
      `select m.ticket_id as id, 2 as rank from unnest($3::text[]) ref(external_id)
      cross join lateral (select d.message_id from deliveries d
        where d.channel = $2 and d.external_id = ref.external_id offset 0) d
      join messages m on m.id = d.message_id`,
      // OFFSET 0 keeps the channel test out of the GIN lookup (docs/performance.md).
      `select m.ticket_id as id, 2 as rank from (
        select d.message_id, d.channel from deliveries d where d.extra_external_ids ?| $3::text[] offset 0
      ) d join messages m on m.id = d.message_id
      where d.channel = $2`,
      `select m.ticket_id as id, 3 as rank from unnest($3::text[]) ref(external_id)
      cross join lateral (select m.ticket_id from messages m
        where m.channel = $2 and m.direction = 'inbound' and m.external_id = ref.external_id offset 0) m`,
    );
  }
  if (hasTag) branches.push('select t.id, 4 as rank from tickets t where t.number = $4');
  // Every branch names its columns: any of them may come first. Unused parameters still need
  // a type PostgreSQL can infer.
  const unused = [
    hasNumbers ? '' : '$1::int[] is null',
    hasExternalIds ? '' : '$2::text is null and $3::text[] is null',
    hasTag ? '' : '$4::int is null',
  ].filter(Boolean);
  // Tickets by primary key, one by one (LATERAL, OFFSET 0), never a hash join (docs/performance.md).
  return `select ${TICKET_COLUMNS}, refs.rank from (
    ${branches.join('\n    union all\n    ')}
  ) refs cross join lateral (select * from tickets where tickets.id = refs.id offset 0) t${unused.length ? `\n  where ${unused.join(' and ')}` : ''}
  order by refs.rank, t.id desc`;
}

async function ticketsReferencedBy(tx: Tx, message: InboundMessage, secret: string): Promise<TicketRow[]> {
  const refs = message.thread;
  const numbers = (refs.replyTokens ?? [])
    .map((token) => verifyReplyToken(secret, token))
    .filter((n): n is number => n !== undefined);
  const externalIds = refs.inReplyTo ?? [];
  const hasTag = refs.ticketNumber !== undefined;
  if (numbers.length === 0 && externalIds.length === 0 && !hasTag) return [];
  const text = candidatesSql(numbers.length > 0, externalIds.length > 0, hasTag);
  const { rows } = await tx.sql.query(text, [
    numbers.length > 0 ? numbers : null,
    externalIds.length > 0 ? message.channel : null,
    externalIds.length > 0 ? externalIds : null,
    refs.ticketNumber ?? null,
  ]);
  return rows.map((row) => rowOf(tickets, row, 't'));
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
