import { randomBytes } from 'node:crypto';
import { and, asc, count, eq, gt, isNotNull, ne } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { deliveries, messages } from '../db/schema.js';
import type { RenderedMessage } from '../templates/format.js';
import type { ChannelName, IdentityKind, OutboundButton, OutboundMessage } from './channel.js';
import type { CoreContext } from './core-context.js';
import { createReplyToken } from './reply-token.js';

export interface TicketRef {
  id: bigint;
  number: number;
  subject: string;
  conversationId: string | null;
}

export interface OutboundRequest {
  ticket?: TicketRef;
  channel: ChannelName;
  recipient: { kind: IdentityKind; address: string; displayName?: string };
  /** Machine-generated: rate-limited per recipient and marked so mail clients do not answer it. */
  automatic: boolean;
  content: RenderedMessage & { buttons?: OutboundButton[][] };
  /** Technician name, for replies. */
  author?: string;
  /** Deliver this existing message row instead of storing a new one. */
  messageId?: bigint;
  /** Chat channels: the inbound message this answers (`chatId:messageId`). */
  replyToExternalId?: string;
  conversationId?: string;
}

export interface EnqueueResult {
  messageId: bigint;
  deliveryId: bigint;
  /** True when the automatic-message limit stopped it; the message is still stored. */
  suppressed: boolean;
}

/** Our Message-ID for an email delivery; fixed before sending so retries reuse it. */
export function emailMessageId(token: string | undefined, deliveryId: bigint, domain: string): string {
  const random = randomBytes(6).toString('hex');
  return `<${token ? `${token}.` : ''}${deliveryId}.${random}@${domain}>`;
}

async function emailThreadIds(
  tx: Tx,
  ticketId: bigint,
): Promise<{ inReplyTo?: string; references: string[] }> {
  const inbound = await tx.db
    .select({ id: messages.id, externalId: messages.externalId })
    .from(messages)
    .where(
      and(eq(messages.ticketId, ticketId), eq(messages.channel, 'email'), eq(messages.direction, 'inbound')),
    )
    .orderBy(asc(messages.id));
  const outbound = await tx.db
    .select({ id: deliveries.messageId, externalId: deliveries.externalId })
    .from(deliveries)
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .where(
      and(eq(messages.ticketId, ticketId), eq(deliveries.channel, 'email'), isNotNull(deliveries.externalId)),
    )
    .orderBy(asc(deliveries.id));
  const all = [...inbound, ...outbound]
    .filter((row): row is { id: bigint; externalId: string } => Boolean(row.externalId))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const references = [...new Set(all.map((row) => row.externalId))];
  const lastInbound = inbound.filter((row) => row.externalId).at(-1)?.externalId ?? undefined;
  return { inReplyTo: lastInbound ?? references.at(-1), references };
}

async function automaticLimitReached(
  ctx: CoreContext,
  tx: Tx,
  recipient: OutboundRequest['recipient'],
): Promise<boolean> {
  const since = new Date(ctx.now().getTime() - 3600_000);
  const [row] = await tx.db
    .select({ n: count() })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.recipientKind, recipient.kind),
        eq(deliveries.recipientAddress, recipient.address),
        eq(deliveries.automatic, true),
        ne(deliveries.status, 'suppressed'),
        gt(deliveries.createdAt, since),
      ),
    );
  return (row?.n ?? 0) >= ctx.settings.autoReplyLimitPerHour;
}

/**
 * Stores an outbound message and enqueues its delivery in the caller's transaction: the job
 * exists exactly when the change that caused it commits. Call `ctx.jobs.wake()` after commit.
 */
export async function enqueueOutbound(
  ctx: CoreContext,
  tx: Tx,
  request: OutboundRequest,
): Promise<EnqueueResult> {
  const { ticket, content } = request;
  let messageId = request.messageId;
  if (messageId === undefined) {
    const [row] = await tx.db
      .insert(messages)
      .values({
        ticketId: ticket?.id,
        direction: 'outbound',
        channel: request.channel,
        author: request.author ?? 'bot',
        subject: content.subject,
        newText: content.text,
        fullText: content.text,
        html: content.html,
        senderKind: request.recipient.kind,
        senderAddress: request.recipient.address,
      })
      .returning({ id: messages.id });
    messageId = row!.id;
  }
  // Loops happen where machines answer machines, which is email; in chats the limit would only
  // swallow answers to what a person just did.
  const suppressed =
    request.automatic &&
    request.channel === 'email' &&
    (await automaticLimitReached(ctx, tx, request.recipient));
  const [delivery] = await tx.db
    .insert(deliveries)
    .values({
      messageId,
      channel: request.channel,
      recipientKind: request.recipient.kind,
      recipientAddress: request.recipient.address,
      automatic: request.automatic,
      payload: {},
      status: suppressed ? 'suppressed' : 'queued',
      lastError: suppressed ? 'automatic-message limit per hour reached for this recipient' : null,
    })
    .returning({ id: deliveries.id });
  const deliveryId = delivery!.id;

  const replyToken = ticket ? createReplyToken(ctx.replyTokenSecret, ticket.number) : undefined;
  const threading: OutboundMessage['threading'] = {
    replyToken,
    conversationId: request.conversationId ?? ticket?.conversationId ?? undefined,
    inReplyTo: request.replyToExternalId,
  };
  let externalId: string | undefined;
  if (request.channel === 'email') {
    const thread = ticket ? await emailThreadIds(tx, ticket.id) : { references: [] };
    threading.inReplyTo = thread.inReplyTo;
    threading.references = thread.references;
    threading.messageId = emailMessageId(replyToken, deliveryId, ctx.settings.messageIdDomain);
    externalId = threading.messageId;
  }
  const payload: Omit<OutboundMessage, 'deliveryId'> = {
    channel: request.channel,
    recipient: request.recipient,
    automatic: request.automatic,
    ticket: ticket ? { number: ticket.number, subject: ticket.subject } : undefined,
    subject: content.subject,
    text: content.text,
    html: content.html,
    buttons: content.buttons,
    threading,
  };
  await tx.db.update(deliveries).set({ payload, externalId }).where(eq(deliveries.id, deliveryId));
  if (!suppressed) await ctx.jobs.enqueueDelivery(tx, String(deliveryId));
  return { messageId, deliveryId, suppressed };
}
