import type { SqlClient } from '../database.js';
import { rowOf, selectColumns } from '../raw-rows.js';
import { tickets } from '../schema.js';

export interface OpenedTicketValues {
  customerId: bigint;
  subject: string;
  channel: string;
  replyIdentityId: bigint;
  conversationId: string | null;
  firstContactDueAt: Date | null;
  previousTicketId: bigint | null;
  /** Created and updated at. */
  now: Date;
  /** Who opened it, for the audit log (`kind:address`). */
  actor: string;
  automatic: boolean;
}

// The acknowledgement is queued in the same transaction, so the ticket is born acknowledged: open.
const OPEN_TICKET_SQL = `with t as (
    insert into tickets (customer_id, subject, status, origin_channel, reply_identity_id, conversation_id,
      first_contact_due_at, previous_ticket_id, created_at, updated_at, automatic)
    values ($1, $2, 'open', $3, $4, $5, $6, $7, $8, $8, $10) returning *
  ), a as (
    insert into audit_log (actor, action, ticket_id, customer_id, data)
    select $9, 'ticket.opened', t.id, t.customer_id,
      jsonb_build_object('number', t.number, 'channel', t.origin_channel, 'previousTicketId', $7::text)
    from t
  )
  select ${selectColumns(tickets, 't')} from t`;

/** Inserts an `open` ticket and its `ticket.opened` audit entry in one statement (every new ticket runs it). */
export async function insertOpenedTicket(
  sql: SqlClient,
  values: OpenedTicketValues,
): Promise<typeof tickets.$inferSelect> {
  const { rows } = await sql.query(OPEN_TICKET_SQL, [
    values.customerId.toString(),
    values.subject,
    values.channel,
    values.replyIdentityId.toString(),
    values.conversationId,
    values.firstContactDueAt,
    values.previousTicketId?.toString() ?? null,
    values.now,
    values.actor,
    values.automatic,
  ]);
  return rowOf(tickets, rows[0]!, 't');
}
