import { randomBytes } from 'node:crypto';
import type { Tx } from '../db/database.js';
import { countRecentAutomaticDeliveries } from '../db/sql/count-recent-automatic-deliveries.js';
import { emailThreadIds as selectEmailThreadIds } from '../db/sql/email-thread-ids.js';
import { insertOutboundDelivery } from '../db/sql/insert-outbound-delivery.js';
import type { DeliveryPurpose } from '../db/statuses.js';
import type { RenderedMessage } from '../templates/format.js';
import type {
  ChannelName,
  IdentityKind,
  OutboundAttachment,
  OutboundButton,
  OutboundMessage,
} from './channel.js';
import type { CoreContext } from './core-context.js';
import { isMachineAddress } from './machine-address.js';
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
  /**
   * What an automatic message is for, when it has budgets of its own: `unknown_sender` answers
   * count toward the global hourly cap; `link` mails (asked for from a chat) never count toward
   * the recipient's hourly budget of acknowledgements and have a budget of their own; so do
   * `password_reset` mails (the owner's own request) and `known_address` notices (one an hour, so
   * registering someone's address again and again can neither flood them nor starve their reset).
   */
  purpose?: DeliveryPurpose;
  content: RenderedMessage & {
    buttons?: OutboundButton[][];
    attachments?: OutboundAttachment[];
    calendar?: OutboundMessage['calendar'];
  };
  /** Technician name, for replies. */
  author?: string;
  /**
   * The text was written by a person (a technician's edited reply), so the staff search finds it.
   * Otherwise a new message's text is one of ours (acknowledgement, notice, consent request, slot
   * proposal, statement) and is left out of the search (#25).
   */
  writtenByPerson?: boolean;
  /** Deliver this existing message row instead of storing a new one. */
  messageId?: bigint;
  /** Chat channels: the inbound message this answers (`chatId:messageId`). */
  replyToExternalId?: string;
  conversationId?: string;
  /**
   * Email: the ticket's Message-IDs when the caller already knows them (a ticket this very mail
   * just opened has only that mail), which saves reading them back.
   */
  emailThread?: { inReplyTo?: string; references: string[] };
  /** Chat channels: edit this delivered message (external id) instead of sending a new one. */
  editOf?: string;
  /** Stored attachments of the message to send with it (without content: the worker reads it). */
  attachments?: OutboundAttachment[];
}

export interface EnqueueResult {
  messageId: bigint;
  deliveryId: bigint;
  /** True when the automatic-message limit stopped it; the message is still stored. */
  suppressed: boolean;
}

/** Our Message-ID for an email delivery; fixed before sending and stored, so retries reuse it. */
export function emailMessageId(token: string | undefined, domain: string): string {
  const random = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x');
  return `<${token ? `${token}.` : ''}${Date.now().toString(36)}.${random}@${domain}>`;
}

/** The ticket's email Message-IDs, oldest first, and the customer's latest one to answer. */
async function emailThreadIds(
  tx: Tx,
  ticketId: bigint,
): Promise<{ inReplyTo?: string; references: string[] }> {
  const rows = await selectEmailThreadIds(tx.sql, ticketId);
  const references = [...new Set(rows.map((row) => row.external_id))];
  const lastInbound = rows.filter((row) => Number(row.outbound) === 0).at(-1)?.external_id;
  return { inReplyTo: lastInbound ?? references.at(-1), references };
}

/** "Already registered" notices per address and hour: anyone can trigger them (T1, issue #22). */
export const KNOWN_ADDRESS_NOTICES_PER_HOUR = 1;

/**
 * Whether the recipient had their hourly automatic mails. Link mails are counted apart: asking for
 * one from a chat (anyone can name any address) must not use up the customer's acknowledgements.
 */
async function automaticLimitReached(
  ctx: CoreContext,
  tx: Tx,
  recipient: OutboundRequest['recipient'],
  purpose: OutboundRequest['purpose'],
): Promise<boolean> {
  const since = new Date(ctx.now().getTime() - 3600_000);
  const sent = await countRecentAutomaticDeliveries(tx.db, {
    recipientKind: recipient.kind,
    recipientAddress: recipient.address,
    purpose,
    since,
  });
  const limit =
    purpose === 'known_address' ? KNOWN_ADDRESS_NOTICES_PER_HOUR : ctx.settings.autoReplyLimitPerHour;
  return sent >= limit;
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
  // Loops happen where machines answer machines, which is email; in chats the limit would only
  // swallow answers to what a person just did.
  // RFC 3834: nothing automatic to no-reply, list-manager or delivery-system addresses (issue 17).
  const toMachine =
    request.automatic && request.channel === 'email' && isMachineAddress(request.recipient.address);
  const suppressed =
    toMachine ||
    (request.automatic &&
      request.channel === 'email' &&
      (await automaticLimitReached(ctx, tx, request.recipient, request.purpose)));
  const replyToken = ticket ? createReplyToken(ctx.replyTokenSecret, ticket.number) : undefined;
  const threading: OutboundMessage['threading'] = {
    replyToken,
    conversationId: request.conversationId ?? ticket?.conversationId ?? undefined,
    inReplyTo: request.replyToExternalId,
  };
  if (request.channel === 'email') {
    const thread = request.emailThread ?? (ticket ? await emailThreadIds(tx, ticket.id) : { references: [] });
    threading.inReplyTo = thread.inReplyTo;
    threading.references = thread.references;
    threading.messageId = emailMessageId(replyToken, ctx.settings.messageIdDomain);
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
    ...(content.calendar && request.channel === 'email' ? { calendar: content.calendar } : {}),
    ...(request.editOf ? { editOf: request.editOf } : {}),
    ...(content.attachments?.length || request.attachments?.length
      ? {
          attachments: [
            ...(content.attachments ?? []),
            ...(request.attachments ?? []).map(({ content: _content, ...meta }) => meta),
          ],
        }
      : {}),
    threading,
  };
  // The message row (unless it exists), its delivery and its job (unless suppressed) in one
  // statement: every new ticket runs this.
  const { messageId, deliveryId } = await insertOutboundDelivery(
    tx.sql,
    (source) => ctx.jobs.deliveryJobInsertSql(source),
    {
      channel: request.channel,
      recipientKind: request.recipient.kind,
      recipientAddress: request.recipient.address,
      automatic: request.automatic,
      payload,
      status: suppressed ? 'suppressed' : 'queued',
      lastError: toMachine
        ? 'a machine address (no-reply, list or delivery system) never gets automatic mail'
        : suppressed
          ? 'automatic-message limit per hour reached for this recipient'
          : null,
      externalId: threading.messageId ?? null,
      purpose: request.purpose ?? null,
    },
    request.messageId === undefined
      ? {
          message: {
            ticketId: ticket?.id ?? null,
            author: request.author ?? 'bot',
            subject: content.subject ?? null,
            text: content.text,
            html: content.html ?? null,
            botText: !request.writtenByPerson,
          },
        }
      : { messageId: request.messageId },
  );
  return { messageId, deliveryId, suppressed };
}
