import { randomBytes } from 'node:crypto';
import { and, count, eq, gt, ne, sql } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { deliveries } from '../db/schema.js';
import type { RenderedMessage } from '../templates/format.js';
import type { ChannelName, IdentityKind, OutboundButton, OutboundMessage } from './channel.js';
import type { CoreContext, JobSink } from './core-context.js';
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
   * the recipient's hourly budget of acknowledgements and have a budget of their own.
   */
  purpose?: 'unknown_sender' | 'link';
  content: RenderedMessage & { buttons?: OutboundButton[][]; calendar?: OutboundMessage['calendar'] };
  /** Technician name, for replies. */
  author?: string;
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

const DELIVERY_COLUMNS =
  'channel, recipient_kind, recipient_address, automatic, payload, status, last_error, external_id, purpose, message_id';
/** The message row (unless it exists), its delivery and the delivery's job, in one statement. */
function insertMessageAndDeliverySql(jobs: JobSink): string {
  return `with m as (
    insert into messages (ticket_id, direction, channel, author, subject, new_text, full_text, html,
      sender_kind, sender_address)
    values ($9, 'outbound', $1, $10, $11, $12, $12, $13, $2, $3) returning id
  ), d as (
    insert into deliveries (${DELIVERY_COLUMNS})
    select $1, $2, $3, $4, $5::jsonb, $6, $7, $8, $14, m.id from m
    returning id, message_id, status
  ), job as (
    ${jobs.deliveryJobInsertSql('d')}
  )
  select id::text, message_id::text from d`;
}

function insertDeliverySql(jobs: JobSink): string {
  return `with d as (
    insert into deliveries (${DELIVERY_COLUMNS})
    values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $10, $9) returning id, message_id, status
  ), job as (
    ${jobs.deliveryJobInsertSql('d')}
  )
  select id::text, message_id::text from d`;
}

const EMAIL_THREAD_SQL = `select external_id, 0 as outbound, id as position from messages
    where ticket_id = $1 and channel = 'email' and direction = 'inbound' and external_id is not null
  union all
  select d.external_id, 1, d.message_id from deliveries d join messages m on m.id = d.message_id
    where m.ticket_id = $1 and d.channel = 'email' and d.external_id is not null
  order by position, outbound`;

/** The ticket's email Message-IDs, oldest first, and the customer's latest one to answer. */
async function emailThreadIds(
  tx: Tx,
  ticketId: bigint,
): Promise<{ inReplyTo?: string; references: string[] }> {
  const { rows } = await tx.sql.query<{ external_id: string; outbound: number }>(EMAIL_THREAD_SQL, [
    ticketId.toString(),
  ]);
  const references = [...new Set(rows.map((row) => row.external_id))];
  const lastInbound = rows.filter((row) => Number(row.outbound) === 0).at(-1)?.external_id;
  return { inReplyTo: lastInbound ?? references.at(-1), references };
}

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
        purpose === 'link'
          ? eq(deliveries.purpose, 'link')
          : sql`${deliveries.purpose} is distinct from 'link'`,
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
    threading,
  };
  const deliveryValues = [
    request.channel,
    request.recipient.kind,
    request.recipient.address,
    request.automatic,
    JSON.stringify(payload),
    suppressed ? 'suppressed' : 'queued',
    toMachine
      ? 'a machine address (no-reply, list or delivery system) never gets automatic mail'
      : suppressed
        ? 'automatic-message limit per hour reached for this recipient'
        : null,
    threading.messageId ?? null,
  ];
  // The message row (unless it exists), its delivery and its job (unless suppressed) in one
  // statement: every new ticket runs this.
  const { rows } = await tx.sql.query<{ id: string; message_id: string }>(
    request.messageId === undefined ? insertMessageAndDeliverySql(ctx.jobs) : insertDeliverySql(ctx.jobs),
    request.messageId === undefined
      ? [
          ...deliveryValues,
          ticket?.id.toString() ?? null,
          request.author ?? 'bot',
          content.subject ?? null,
          content.text,
          content.html ?? null,
          request.purpose ?? null,
        ]
      : [...deliveryValues, request.messageId.toString(), request.purpose ?? null],
  );
  const deliveryId = BigInt(rows[0]!.id);
  const messageId = BigInt(rows[0]!.message_id);
  return { messageId, deliveryId, suppressed };
}
