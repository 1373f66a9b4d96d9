import { and, eq } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { identities, messages, tickets } from '../db/schema.js';
import { insertOpenedTicket } from '../db/sql/insert-opened-ticket.js';
import { keptAttachmentsOfMessage } from '../db/sql/kept-attachments-of-message.js';
import { technicianReply } from '../templates/customer-messages.js';
import { alertStaff, audit } from './audit.js';
import { postSummaryOnResolve } from './billing/hour-summary.js';
import type {
  ChannelName,
  IdentityKind,
  InboundAttachment,
  OutboundAttachment,
  OutboundButton,
  OutboundMessage,
} from './channel.js';
import { redactText } from './consent/redaction.js';
import type { CoreContext } from './core-context.js';
import { NotFoundError } from './errors.js';
import { firstContactClockStart, startFirstContactClock } from './first-contact.js';
import { storeAttachments } from './inbound-store.js';
import { assertTransition, type TicketStatus } from './lifecycle.js';
import { enqueueOutbound } from './outbound.js';
import type { CustomerRow, IdentityRow, TicketRow } from './threading.js';

/**
 * Opens a ticket; its first-contact clock (T2) starts at the later of the message's arrival and
 * the customer's activation, with its reminders and breach scheduled (first-contact.ts).
 */
export async function openTicket(
  ctx: CoreContext,
  tx: Tx,
  input: {
    customer: CustomerRow;
    identity: IdentityRow;
    subject: string;
    channel: ChannelName;
    conversationId?: string;
    previousTicketId?: bigint;
    /** Opened by a machine's alert (a customer's NAS, backup job, monitoring box), not a person. */
    automatic?: boolean;
    /** When the message reached us (IMAP internal date, Telegram date): the T2 clock's start. */
    arrivedAt?: Date;
  },
): Promise<TicketRow> {
  const now = ctx.now();
  const active = input.customer.status === 'active';
  const clockFrom = firstContactClockStart(now, input.arrivedAt, input.customer.activatedAt);
  const dueAt = active ? ctx.firstContactDeadline(clockFrom) : null;
  // The ticket and its audit entry in one statement: this runs for every new ticket.
  const ticket = await insertOpenedTicket(tx.sql, {
    customerId: input.customer.id,
    subject: input.subject,
    channel: input.channel,
    replyIdentityId: input.identity.id,
    conversationId: input.conversationId ?? null,
    firstContactDueAt: dueAt,
    previousTicketId: input.previousTicketId ?? null,
    now,
    actor: `${input.identity.kind}:${input.identity.address}`,
    automatic: input.automatic ?? false,
  });
  if (active) await startFirstContactClock(ctx, tx, ticket.id, clockFrom);
  return ticket;
}

/**
 * A customer wrote on `ticket`. Reopens a resolved ticket within the reopen window, moves a
 * waiting ticket back to open; returns true when a new ticket must be opened instead (closed, or
 * resolved too long ago).
 */
export async function reopenOrFollowUp(
  ctx: CoreContext,
  tx: Tx,
  snapshot: TicketRow,
  actor: string,
): Promise<boolean> {
  // Decide on the ticket as it is now, and hold it until commit: a technician may be closing it.
  const ticket = await lockTicket(tx, snapshot.id);
  if (ticket.status === 'closed') return true;
  if (ticket.status === 'resolved') {
    const resolvedAt = ticket.resolvedAt ?? ticket.updatedAt;
    const windowMs = ctx.settings.reopenDays * 24 * 3600_000;
    if (ctx.now().getTime() - resolvedAt.getTime() > windowMs) return true;
    await setStatus(ctx, tx, ticket, 'open', actor);
    return false;
  }
  if (ticket.status === 'waiting_customer' || ticket.status === 'new') {
    await setStatus(ctx, tx, ticket, 'open', actor);
  }
  return false;
}

/**
 * Reads a ticket and locks its row until the transaction ends (`SELECT … FOR UPDATE`): changes to
 * one ticket are serialised, and each decides on the status the previous one left. On the
 * embedded store transactions already run one at a time; the lock costs nothing there.
 */
export async function lockTicket(tx: Tx, ticketId: bigint): Promise<TicketRow> {
  const [ticket] = await tx.db.select().from(tickets).where(eq(tickets.id, ticketId)).for('update');
  if (!ticket) throw new NotFoundError('ticket', ticketId.toString());
  return ticket;
}

/**
 * Changes a ticket's status as the lifecycle allows, judged on the ticket's current (locked) row
 * rather than the caller's copy; throws InvalidTransitionError otherwise.
 */
export async function setStatus(
  ctx: CoreContext,
  tx: Tx,
  snapshot: TicketRow,
  to: TicketStatus,
  actor: string,
): Promise<void> {
  const ticket = await lockTicket(tx, snapshot.id);
  if (ticket.status === to) return;
  assertTransition(ticket.status, to, ticket.number);
  const now = ctx.now();
  await tx.db
    .update(tickets)
    .set({
      status: to,
      updatedAt: now,
      resolvedAt: to === 'resolved' ? now : to === 'open' ? null : undefined,
      closedAt: to === 'closed' ? now : undefined,
    })
    .where(eq(tickets.id, ticket.id));
  await audit(tx, {
    actor,
    action: 'ticket.status',
    ticketId: ticket.id,
    data: { from: ticket.status, to },
  });
  // Resolving posts the hour summary to the customer and in the Slack thread (#24).
  if (to === 'resolved') await postSummaryOnResolve(ctx, tx, ticket.number, actor);
}

/** The ticket numbered `number`; `forUpdate` locks it until the transaction ends. */
export async function getTicketByNumber(
  tx: Tx,
  number: number,
  options: { forUpdate?: boolean } = {},
): Promise<TicketRow> {
  const query = tx.db.select().from(tickets).where(eq(tickets.number, number));
  const [ticket] = options.forUpdate ? await query.for('update') : await query;
  if (!ticket) throw new NotFoundError('ticket', number);
  return ticket;
}

/**
 * A technician answers a ticket (or adds an internal note, which the customer never sees).
 * The reply goes to the customer's channel, queued in the same transaction; it also meets the
 * first-contact deadline (T2).
 */
export async function postTechnicianMessage(
  ctx: CoreContext,
  input: TechnicianMessageInput,
): Promise<TechnicianMessageResult> {
  const result = await ctx.database.transaction((tx) => writeTechnicianMessage(ctx, tx, input));
  ctx.jobs.wake();
  return result;
}

export interface TechnicianMessageInput {
  ticketNumber: number;
  author: string;
  text: string;
  internal: boolean;
  status?: TicketStatus;
  /** Who acted, for the audit log (default `technician:<author>`; Slack: `slack:<user id>`). */
  actor?: string;
  /** A text a person typed: the customer reads it signed with `author` (#20). Default: unsigned. */
  signed?: boolean;
  /**
   * Files of the reply, stored as the message's attachments. Those with content are sent with it;
   * those without (over a limit) are kept as left out, with their reason.
   */
  attachments?: InboundAttachment[];
  /** Chat buttons under the message (slot numbers of a proposal, #23). */
  buttons?: OutboundButton[][];
  /** An iCalendar part for an email customer (#23), built for their address; chats get none. */
  calendar?: (attendee: { email: string; name?: string }) => OutboundMessage['calendar'];
}

export interface TechnicianMessageResult {
  messageId: bigint;
  deliveryId?: bigint;
  /** Secrets (passwords, card numbers, IBANs) replaced by `[redacted]` before anything was stored. */
  redacted: number;
}

/**
 * {@link postTechnicianMessage} inside the caller's transaction (Slack stores its relay state in
 * the same one). Call `ctx.jobs.wake()` after the commit.
 */
export async function writeTechnicianMessage(
  ctx: CoreContext,
  tx: Tx,
  input: TechnicianMessageInput,
): Promise<TechnicianMessageResult> {
  // A password a technician types (a note for colleagues, a reply) is no more kept than a
  // customer's (T8): redacted here, once, so the message, its search vector and the copy queued
  // for the customer all hold the redacted text.
  const { text, count: redacted } = redactText(input.text);
  const actor = input.actor ?? `technician:${input.author}`;
  const ticket = await getTicketByNumber(tx, input.ticketNumber);
  if (input.status) assertTransition(ticket.status, input.status, ticket.number);
  const now = ctx.now();
  const [message] = await tx.db
    .insert(messages)
    .values({
      ticketId: ticket.id,
      direction: input.internal ? 'note' : 'outbound',
      channel: input.internal ? 'api' : ticket.originChannel,
      author: input.author,
      newText: text,
      fullText: text,
      customerId: ticket.customerId,
    })
    .returning({ id: messages.id });
  const files = await storeReplyFiles(tx, message!.id, input.attachments ?? []);
  await audit(tx, {
    actor,
    action: input.internal ? 'ticket.note' : 'ticket.reply',
    ticketId: ticket.id,
    data: { messageId: message!.id.toString(), ...(redacted > 0 ? { redacted } : {}) },
  });
  let deliveryId: bigint | undefined;
  if (!input.internal) {
    const identity = await ticketRecipient(tx, ticket);
    if (!identity) {
      await alertStaff(tx, {
        kind: 'no_reachable_identity',
        ticketId: ticket.id,
        text: `Ticket #${ticket.number}: the customer has no identity to send the reply to`,
      });
    } else {
      if (identity.unreachableAt) {
        await alertStaff(tx, {
          kind: 'identity_unreachable',
          ticketId: ticket.id,
          text: `Ticket #${ticket.number}: ${identity.kind} ${identity.address} was marked unreachable (${identity.unreachableReason}); the reply is queued anyway`,
        });
      }
      const queued = await enqueueOutbound(ctx, tx, {
        ticket,
        // Replies go back through the channel the customer opened the ticket from.
        channel: ticket.originChannel as ChannelName,
        recipient: { kind: identity.kind as IdentityKind, address: identity.address },
        automatic: false,
        content: {
          ...technicianReply({
            ticketNumber: ticket.number,
            subject: ticket.subject,
            text,
            technician: input.signed ? input.author : undefined,
          }),
          buttons: input.buttons,
          calendar:
            input.calendar && ticket.originChannel === 'email' && identity.kind === 'email'
              ? input.calendar({ email: identity.address })
              : undefined,
        },
        author: input.author,
        messageId: message!.id,
        attachments: files,
      });
      deliveryId = queued.deliveryId;
    }
    if (!ticket.firstContactAt) {
      await tx.db.update(tickets).set({ firstContactAt: now }).where(eq(tickets.id, ticket.id));
    }
  }
  if (input.status) await setStatus(ctx, tx, ticket, input.status, actor);
  await tx.db.update(tickets).set({ updatedAt: now }).where(eq(tickets.id, ticket.id));
  return { messageId: message!.id, deliveryId, redacted };
}

/** Stores a reply's files; returns those with content, as the outbound payload names them. */
async function storeReplyFiles(
  tx: Tx,
  messageId: bigint,
  files: InboundAttachment[],
): Promise<OutboundAttachment[]> {
  if (files.length === 0) return [];
  await storeAttachments(tx, messageId, files);
  const rows = await keptAttachmentsOfMessage(tx.sql, messageId);
  return rows.map((row) => ({
    id: row.id,
    filename: row.filename,
    contentType: row.content_type,
    size: Number(row.size),
  }));
}

/** The identity the ticket's messages go to (where the customer wrote from), or undefined. */
export async function ticketRecipient(tx: Tx, ticket: TicketRow) {
  const [identity] = ticket.replyIdentityId
    ? await tx.db.select().from(identities).where(eq(identities.id, ticket.replyIdentityId))
    : await tx.db
        .select()
        .from(identities)
        .where(and(eq(identities.customerId, ticket.customerId), eq(identities.verified, true)))
        .limit(1);
  return identity;
}
