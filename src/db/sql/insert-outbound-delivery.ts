import type { SqlClient } from '../database.js';
import type { DeliveryStatus } from '../statuses.js';

/** SQL that queues a delivery job for each `queued` row of a CTE (see JobSink.deliveryJobInsertSql). */
export type DeliveryJobInsertSql = (source: string) => string;

export interface OutboundDeliveryValues {
  channel: string;
  recipientKind: string;
  recipientAddress: string;
  automatic: boolean;
  /** The adapter's payload, stored as jsonb. */
  payload: unknown;
  status: Extract<DeliveryStatus, 'queued' | 'suppressed'>;
  lastError: string | null;
  /** Email: our Message-ID, fixed before sending. */
  externalId: string | null;
  purpose: string | null;
}

/** A new outbound message row, for {@link insertOutboundDelivery} without `messageId`. */
export interface OutboundMessageValues {
  ticketId: bigint | null;
  author: string;
  subject: string | null;
  text: string;
  html: string | null;
  /** The text is one of ours, not a person's: left out of the staff search (#25). */
  botText: boolean;
}

const DELIVERY_COLUMNS =
  'channel, recipient_kind, recipient_address, automatic, payload, status, last_error, external_id, purpose, message_id';

/** The message row, its delivery and the delivery's job, in one statement. */
function insertMessageAndDeliverySql(jobInsert: DeliveryJobInsertSql): string {
  return `with m as (
    insert into messages (ticket_id, direction, channel, author, subject, new_text, full_text, html,
      sender_kind, sender_address, bot_text)
    values ($9, 'outbound', $1, $10, $11, $12, $12, $13, $2, $3, $15) returning id
  ), d as (
    insert into deliveries (${DELIVERY_COLUMNS})
    select $1, $2, $3, $4, $5::jsonb, $6, $7, $8, $14, m.id from m
    returning id, message_id, status
  ), job as (
    ${jobInsert('d')}
  )
  select id::text, message_id::text from d`;
}

function insertDeliverySql(jobInsert: DeliveryJobInsertSql): string {
  return `with d as (
    insert into deliveries (${DELIVERY_COLUMNS})
    values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $10, $9) returning id, message_id, status
  ), job as (
    ${jobInsert('d')}
  )
  select id::text, message_id::text from d`;
}

/**
 * Inserts a delivery of `target` (an existing message's id, or a new outbound message row) and,
 * when it is `queued`, its job, in one statement: every new ticket runs this.
 */
export async function insertOutboundDelivery(
  sql: SqlClient,
  jobInsert: DeliveryJobInsertSql,
  delivery: OutboundDeliveryValues,
  target: { messageId: bigint } | { message: OutboundMessageValues },
): Promise<{ messageId: bigint; deliveryId: bigint }> {
  const deliveryValues = [
    delivery.channel,
    delivery.recipientKind,
    delivery.recipientAddress,
    delivery.automatic,
    JSON.stringify(delivery.payload),
    delivery.status,
    delivery.lastError,
    delivery.externalId,
  ];
  const { rows } = await sql.query<{ id: string; message_id: string }>(
    'message' in target ? insertMessageAndDeliverySql(jobInsert) : insertDeliverySql(jobInsert),
    'message' in target
      ? [
          ...deliveryValues,
          target.message.ticketId?.toString() ?? null,
          target.message.author,
          target.message.subject,
          target.message.text,
          target.message.html,
          delivery.purpose,
          target.message.botText,
        ]
      : [...deliveryValues, target.messageId.toString(), delivery.purpose],
  );
  return { deliveryId: BigInt(rows[0]!.id), messageId: BigInt(rows[0]!.message_id) };
}
