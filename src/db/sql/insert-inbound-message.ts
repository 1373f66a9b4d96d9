import type { SqlClient } from '../database.js';
import type { MessageDisposition } from '../statuses.js';

/** One inbound message and its raw input. */
export interface InboundMessageValues {
  channel: string;
  externalId: string;
  rawContentType: string;
  rawData: Uint8Array;
  /** Bytes of the whole input when `rawData` keeps only its start. */
  rawOriginalSize: number | null;
  ticketId: bigint | null;
  customerId: bigint | null;
  disposition: MessageDisposition;
  dispositionReason: string | null;
  senderKind: string;
  senderAddress: string;
  senderName: string | null;
  subject: string | null;
  newText: string;
  fullText: string;
  html: string | null;
  /** Stored as jsonb. */
  threadRefs: unknown;
  editOfMessageId: bigint | null;
  receivedAt: Date;
  groupKey: string | null;
  partOfMessageId: bigint | null;
  contentHash: string | null;
  senderVerification: string | null;
  /** Also set this ticket's `updated_at` (a reply on the ticket), in the same statement. */
  ticketUpdatedAt?: Date;
}

const INSERT_INBOUND = `raw as (
    insert into raw_inputs (channel, external_id, content_type, data, original_size) values ($1, $2, $3, $4, $23) returning id
  )
  insert into messages (channel, external_id, ticket_id, customer_id, direction, disposition, disposition_reason,
    sender_kind, sender_address, sender_name, subject, new_text, full_text, html, thread_refs, edit_of_message_id,
    raw_input_id, received_at, group_key, part_of_message_id, content_hash, sender_verification)
  select $1, $2, $5, $6, 'inbound', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb, $17, raw.id, $18, $19, $20, $21, $22
  from raw
  on conflict do nothing
  returning id::text, raw_input_id::text`;
const INSERT_INBOUND_SQL = `with ${INSERT_INBOUND}`;
/** The same, also marking the ticket updated ($24): a reply costs one statement, not two. */
const INSERT_INBOUND_TOUCHING_TICKET_SQL = `with touched as (
    update tickets set updated_at = $24 where id = $5
  ), ${INSERT_INBOUND}`;

/**
 * Inserts the raw input and the inbound message in one statement (this runs for every inbound
 * message). Returns the message id, or undefined when the message is already stored (the unique
 * key: channel, external id and content hash).
 */
export async function insertInboundMessage(
  sql: SqlClient,
  values: InboundMessageValues,
): Promise<{ id: bigint; rawInputId: string } | undefined> {
  const touch = values.ticketUpdatedAt !== undefined && values.ticketId !== null;
  const { rows } = await sql.query<{ id: string; raw_input_id: string }>(
    touch ? INSERT_INBOUND_TOUCHING_TICKET_SQL : INSERT_INBOUND_SQL,
    [
      values.channel,
      values.externalId,
      values.rawContentType,
      values.rawData,
      values.ticketId?.toString() ?? null,
      values.customerId?.toString() ?? null,
      values.disposition,
      values.dispositionReason,
      values.senderKind,
      values.senderAddress,
      values.senderName,
      values.subject,
      values.newText,
      values.fullText,
      values.html,
      JSON.stringify(values.threadRefs),
      values.editOfMessageId?.toString() ?? null,
      values.receivedAt,
      values.groupKey,
      values.partOfMessageId?.toString() ?? null,
      values.contentHash,
      values.senderVerification,
      values.rawOriginalSize,
      ...(touch ? [values.ticketUpdatedAt] : []),
    ],
  );
  return rows[0] ? { id: BigInt(rows[0].id), rawInputId: rows[0].raw_input_id } : undefined;
}
