/**
 * Messages sent together as one (a Telegram album, `InboundMessage.groupKey`): the first item
 * stored is the message; each later item adds its files and words to it, in its own transaction,
 * and keeps only a bookkeeping row (disposition `album_part`: its external id, so a repeat is
 * stored once, and its raw input). Nothing is held in memory, so items split across polls, a
 * restart or webhook calls still join. See docs/telegram-albums.md.
 */
import type { Tx } from '../db/database.js';
import { type AlbumHeadRow, albumHead as selectAlbumHead } from '../db/sql/album-head.js';
import { appendMessageText } from '../db/sql/append-message-text.js';
import { touchTicket } from '../db/sql/touch-ticket.js';
import type { InboundMessage, IngestOutcome } from './channel.js';
import { DuplicateInbound, storeAttachments, storeMessage } from './inbound-store.js';

/** The message holding an album: its first item stored. */
export type AlbumHead = AlbumHeadRow;

/** The message an album item belongs to, or undefined when it is the album's first item. */
export async function albumHead(tx: Tx, message: InboundMessage): Promise<AlbumHead | undefined> {
  if (!message.groupKey) return undefined;
  return selectAlbumHead(tx.sql, {
    channel: message.channel,
    groupKey: message.groupKey,
    senderKind: message.sender.kind,
    senderAddress: message.sender.address,
  });
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
    await appendMessageText(tx.sql, {
      messageId: head.id,
      newText: message.newText,
      fullText: message.fullText,
    });
  }
  if (head.ticketId !== null) {
    await touchTicket(tx.sql, { ticketId: head.ticketId, at: now });
  }
  const outcome: IngestOutcome = {
    status: 'album_part',
    messageId: String(id),
    albumMessageId: String(head.id),
  };
  if (head.ticketId !== null) outcome.ticketId = String(head.ticketId);
  return outcome;
}
