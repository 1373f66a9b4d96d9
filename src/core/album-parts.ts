/**
 * Messages sent together as one (a Telegram album, `InboundMessage.groupKey`): the first item
 * stored is the message; each later item adds its files and words to it, in its own transaction,
 * and keeps only a bookkeeping row (disposition `album_part`: its external id, so a repeat is
 * stored once, and its raw input). Nothing is held in memory, so items split across polls, a
 * restart or webhook calls still join. See docs/telegram-albums.md.
 */
import type { Tx } from '../db/database.js';
import type { InboundMessage, IngestOutcome } from './channel.js';
import { DuplicateInbound, storeAttachments, storeMessage } from './inbound-store.js';

/** The message holding an album: its first item stored. */
export interface AlbumHead {
  id: bigint;
  ticketId: bigint | null;
  customerId: bigint | null;
  externalId: string | null;
}

// The sender is part of the key: only its author's later items join a message.
const HEAD_SQL = `select id::text as id, ticket_id::text as ticket_id, customer_id::text as customer_id,
    external_id from messages
  where channel = $1 and group_key = $2 and direction = 'inbound' and part_of_message_id is null
    and sender_kind = $3 and sender_address = $4
  order by id limit 1`;

const APPEND_TEXT_SQL = `update messages set
    new_text = case when new_text = '' then $2 else new_text || E'\\n\\n' || $2 end,
    full_text = case when full_text = '' then $3 else full_text || E'\\n\\n' || $3 end
  where id = $1`;

/** The message an album item belongs to, or undefined when it is the album's first item. */
export async function albumHead(tx: Tx, message: InboundMessage): Promise<AlbumHead | undefined> {
  if (!message.groupKey) return undefined;
  const { rows } = await tx.sql.query<{
    id: string;
    ticket_id: string | null;
    customer_id: string | null;
    external_id: string | null;
  }>(HEAD_SQL, [message.channel, message.groupKey, message.sender.kind, message.sender.address]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: BigInt(row.id),
    ticketId: row.ticket_id === null ? null : BigInt(row.ticket_id),
    customerId: row.customer_id === null ? null : BigInt(row.customer_id),
    externalId: row.external_id,
  };
}

/**
 * Adds a later album item to its message: the files to the message's files, the words (a caption
 * on a later item) after its text; the item itself is kept as an `album_part` row with its raw
 * input. Throws DuplicateInbound when this item was stored before. Queues nothing: the message
 * was acknowledged (or its ticket asked for) when its first item arrived.
 */
export async function addToAlbum(
  tx: Tx,
  message: InboundMessage,
  head: AlbumHead,
  now: Date,
): Promise<IngestOutcome> {
  if (head.externalId === message.externalId) throw new DuplicateInbound();
  const id = await storeMessage(
    tx,
    { ...message, newText: '', fullText: '', html: undefined, attachments: [] },
    { customerId: head.customerId ?? undefined, disposition: 'album_part', partOf: head.id },
  );
  await storeAttachments(tx, head.id, message.attachments);
  if (message.newText.trim() || message.fullText.trim()) {
    await tx.sql.query(APPEND_TEXT_SQL, [head.id.toString(), message.newText, message.fullText]);
  }
  if (head.ticketId !== null) {
    await tx.sql.query('update tickets set updated_at = $2 where id = $1', [head.ticketId.toString(), now]);
  }
  const outcome: IngestOutcome = {
    status: 'album_part',
    messageId: String(id),
    albumMessageId: String(head.id),
  };
  if (head.ticketId !== null) outcome.ticketId = String(head.ticketId);
  return outcome;
}
