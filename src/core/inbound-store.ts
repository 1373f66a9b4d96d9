import { and, eq } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { attachments, messages } from '../db/schema.js';
import { insertStoredChunks } from '../db/sql/insert-stored-chunks.js';
import { STORE_CHUNK_BYTES, splitForStore } from '../db/stored-chunks.js';
import type { InboundMessage } from './channel.js';
import { stripNul } from './errors.js';

/** Thrown inside the ingest transaction when another ingest stored the same message first. */
export class DuplicateInbound extends Error {}

/** Removes NUL characters, which PostgreSQL text and jsonb refuse, from every stored string. */
export function withoutNul(message: InboundMessage): InboundMessage {
  const clean = (value: unknown): unknown =>
    typeof value === 'string'
      ? stripNul(value)
      : Array.isArray(value)
        ? value.map(clean)
        : value && typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof Date)
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)]))
          : value;
  return { ...(clean({ ...message, raw: undefined }) as InboundMessage), raw: message.raw };
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
 * Stores an inbound message with its raw input; throws DuplicateInbound when it is already stored
 * (same channel, externalId and content hash).
 */
export async function storeMessage(
  tx: Tx,
  original: InboundMessage,
  fields: {
    ticketId?: bigint;
    customerId?: bigint;
    disposition: string;
    reason?: string;
    editOf?: bigint;
    /** An album item after the first: the message holding the album (see InboundMessage.groupKey). */
    partOf?: bigint;
    /** Also set the ticket's `updated_at` to this (a reply on the ticket). */
    ticketUpdatedAt?: Date;
  },
): Promise<bigint> {
  const message = original;
  const data = typeof message.raw.data === 'string' ? Buffer.from(message.raw.data) : message.raw.data;
  // A large raw input keeps its first piece in the row and the rest in pieces (stored-chunks.ts).
  const raw = splitForStore(data);
  // One statement for the raw input and the message: this runs for every inbound message.
  const touch = fields.ticketUpdatedAt !== undefined && fields.ticketId !== undefined;
  const { rows } = await tx.sql.query<{ id: string; raw_input_id: string }>(
    touch ? INSERT_INBOUND_TOUCHING_TICKET_SQL : INSERT_INBOUND_SQL,
    [
      message.channel,
      message.externalId,
      message.raw.contentType,
      raw.head,
      fields.ticketId?.toString() ?? null,
      fields.customerId?.toString() ?? null,
      fields.disposition,
      fields.reason ?? null,
      message.sender.kind,
      message.sender.address,
      message.sender.displayName ?? null,
      message.subject ?? null,
      message.newText,
      message.fullText,
      message.html ?? null,
      JSON.stringify(message.thread),
      fields.editOf?.toString() ?? null,
      message.receivedAt,
      message.groupKey ?? null,
      fields.partOf?.toString() ?? null,
      message.contentHash ?? null,
      message.senderVerification ?? null,
      message.raw.originalSize ?? null,
      ...(touch ? [fields.ticketUpdatedAt] : []),
    ],
  );
  const row = rows[0] ? { id: BigInt(rows[0].id) } : undefined;
  if (!row) throw new DuplicateInbound();
  await insertStoredChunks(tx.sql, 'raw_input', rows[0]!.raw_input_id, raw.rest);
  await storeAttachments(tx, row.id, message.attachments);
  return row.id;
}

/**
 * Stores a message's attachments (kept content or only the reason it was left out). Rows go in
 * statements of at most ~STORE_CHUNK_BYTES of content; a content larger than that keeps its first
 * piece in the row and the rest in `attachment_chunks`, a statement per piece.
 */
export async function storeAttachments(
  tx: Tx,
  messageId: bigint,
  files: InboundMessage['attachments'],
): Promise<void> {
  let batch: Array<{ file: InboundMessage['attachments'][number]; rest: Uint8Array[]; head?: Uint8Array }> =
    [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = await tx.db
      .insert(attachments)
      .values(
        batch.map(({ file: a, head }) => ({
          messageId,
          filename: a.filename,
          contentType: a.contentType,
          size: a.size,
          content: head,
          omittedReason: a.omittedReason,
          contentId: a.contentId,
          inline: a.inline ?? false,
        })),
      )
      .returning({ id: attachments.id });
    // Rows of one multi-row INSERT come back in the order of its VALUES.
    for (let i = 0; i < batch.length; i++) {
      await insertStoredChunks(tx.sql, 'attachment', rows[i]!.id, batch[i]!.rest);
    }
    batch = [];
    batchBytes = 0;
  };
  for (const file of files) {
    const split = file.content ? splitForStore(file.content) : undefined;
    const bytes = split?.head.byteLength ?? 0;
    if (batchBytes + bytes > STORE_CHUNK_BYTES) await flush();
    batch.push({ file, head: split?.head, rest: split?.rest ?? [] });
    batchBytes += bytes;
  }
  await flush();
}

export async function existingInbound(tx: Tx, message: InboundMessage) {
  const [row] = await tx.db
    .select({ id: messages.id, ticketId: messages.ticketId, partOfMessageId: messages.partOfMessageId })
    .from(messages)
    .where(
      and(
        eq(messages.channel, message.channel),
        eq(messages.direction, 'inbound'),
        eq(messages.externalId, message.externalId),
        // A stored copy of this very content; an edit looks up its original by id alone.
        message.contentHash === undefined ? undefined : eq(messages.contentHash, message.contentHash),
      ),
    )
    .limit(1);
  return row;
}
