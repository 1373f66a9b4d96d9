import { and, eq } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { attachments, messages, rawInputs } from '../db/schema.js';
import type { InboundMessage } from './channel.js';
import { stripNul } from './errors.js';

/** Thrown inside the ingest transaction when another ingest stored the same message first. */
export class DuplicateInbound extends Error {}

/** Removes NUL characters, which PostgreSQL text and jsonb refuse, from every stored string. */
function storable(message: InboundMessage): InboundMessage {
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

export async function storeMessage(
  tx: Tx,
  original: InboundMessage,
  fields: { ticketId?: bigint; customerId?: bigint; disposition: string; reason?: string; editOf?: bigint },
): Promise<bigint> {
  const message = storable(original);
  const data = typeof message.raw.data === 'string' ? Buffer.from(message.raw.data) : message.raw.data;
  const [raw] = await tx.db
    .insert(rawInputs)
    .values({
      channel: message.channel,
      externalId: message.externalId,
      contentType: message.raw.contentType,
      data,
    })
    .returning({ id: rawInputs.id });
  const [row] = await tx.db
    .insert(messages)
    .values({
      ticketId: fields.ticketId,
      customerId: fields.customerId,
      direction: 'inbound',
      disposition: fields.disposition,
      dispositionReason: fields.reason,
      channel: message.channel,
      externalId: message.externalId,
      senderKind: message.sender.kind,
      senderAddress: message.sender.address,
      senderName: message.sender.displayName,
      subject: message.subject,
      newText: message.newText,
      fullText: message.fullText,
      html: message.html,
      threadRefs: message.thread,
      editOfMessageId: fields.editOf,
      rawInputId: raw!.id,
      receivedAt: message.receivedAt,
    })
    .onConflictDoNothing()
    .returning({ id: messages.id });
  if (!row) throw new DuplicateInbound();
  if (message.attachments.length > 0) {
    await tx.db.insert(attachments).values(
      message.attachments.map((a) => ({
        messageId: row.id,
        filename: a.filename,
        contentType: a.contentType,
        size: a.size,
        content: a.content,
        omittedReason: a.omittedReason,
        contentId: a.contentId,
        inline: a.inline ?? false,
      })),
    );
  }
  return row.id;
}

export async function existingInbound(tx: Tx, message: InboundMessage) {
  const [row] = await tx.db
    .select({ id: messages.id, ticketId: messages.ticketId })
    .from(messages)
    .where(
      and(
        eq(messages.channel, message.channel),
        eq(messages.direction, 'inbound'),
        eq(messages.externalId, message.externalId),
      ),
    )
    .limit(1);
  return row;
}
