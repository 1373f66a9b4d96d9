import { and, eq } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { attachments, messages } from '../db/schema.js';
import { insertInboundMessage } from '../db/sql/insert-inbound-message.js';
import { insertStoredChunks } from '../db/sql/insert-stored-chunks.js';
import type { MessageDisposition } from '../db/statuses.js';
import { STORE_CHUNK_BYTES, splitForStore } from '../db/stored-chunks.js';
import type { InboundMessage } from './channel.js';
import { DuplicateInbound, stripNul } from './errors.js';

export { DuplicateInbound };

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
    disposition: MessageDisposition;
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
  const inserted = await insertInboundMessage(tx.sql, {
    channel: message.channel,
    externalId: message.externalId,
    rawContentType: message.raw.contentType,
    rawData: raw.head,
    rawOriginalSize: message.raw.originalSize ?? null,
    ticketId: fields.ticketId ?? null,
    customerId: fields.customerId ?? null,
    disposition: fields.disposition,
    dispositionReason: fields.reason ?? null,
    senderKind: message.sender.kind,
    senderAddress: message.sender.address,
    senderName: message.sender.displayName ?? null,
    subject: message.subject ?? null,
    newText: message.newText,
    fullText: message.fullText,
    html: message.html ?? null,
    threadRefs: message.thread,
    editOfMessageId: fields.editOf ?? null,
    receivedAt: message.receivedAt,
    groupKey: message.groupKey ?? null,
    partOfMessageId: fields.partOf ?? null,
    contentHash: message.contentHash ?? null,
    senderVerification: message.senderVerification ?? null,
    ticketUpdatedAt: fields.ticketUpdatedAt,
  });
  if (inserted === undefined) throw new DuplicateInbound();
  await insertStoredChunks(tx.sql, 'raw_input', inserted.rawInputId, raw.rest);
  await storeAttachments(tx, inserted.id, message.attachments);
  return inserted.id;
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
    .select({
      id: messages.id,
      ticketId: messages.ticketId,
      partOfMessageId: messages.partOfMessageId,
      newText: messages.newText,
    })
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
