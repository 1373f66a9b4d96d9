import { eq } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { messages, tickets } from '../db/schema.js';
import { isBlockedCustomer } from '../db/statuses.js';
import { CREDENTIALS_PLACEHOLDER } from '../templates/consent-messages.js';
import { acknowledgement, attachmentsOmitted, chooseTicket } from '../templates/customer-messages.js';
import { toLocale } from '../templates/format.js';
import { type AlbumHead, addToAlbum, albumHead } from './album-parts.js';
import { alertStaff, audit } from './audit.js';
import type { InboundMessage, IngestOutcome } from './channel.js';
import { answerConsentFromMessage } from './consent/consent-answers.js';
import { alertRedacted, consentDecidesChoice, credentialsEdit } from './consent/ingest-consent.js';
import { redactInbound } from './consent/redact-inbound.js';
import type { CoreContext } from './core-context.js';
import { markBouncedDeliveries } from './delivery.js';
import { errorSummary } from './errors.js';
import { DuplicateInbound, existingInbound, storeMessage, withoutNul } from './inbound-store.js';
import { TransactionBatches } from './ingest-batches.js';
import { enqueueOutbound } from './outbound.js';
import { keepSuspiciousUnlessProven, replyTokenNumbers } from './sender-verification.js';
import { type AfterSlotAnswer, answerSlotOffer } from './slot-answers.js';
import { stripSubjectPrefixes } from './subject-prefixes.js';
import { type CustomerRow, findSender, type IdentityRow, matchThread, type TicketRow } from './threading.js';
import { openTicket, reopenOrFollowUp } from './tickets.js';
import { handleUnknownSender } from './unknown-senders.js';

/** A ticket subject from the message: its subject without reply prefixes and our tag. */
export function ticketSubjectFrom(message: InboundMessage): string {
  const subject = stripSubjectPrefixes(message.subject ?? '');
  if (subject) return subject.slice(0, 200);
  const firstLine = message.newText.trim().split('\n')[0]?.trim() ?? '';
  return firstLine ? firstLine.slice(0, 80) : '(senza oggetto)';
}

const batchesByContext = new WeakMap<CoreContext, TransactionBatches<InboundMessage, IngestOutcome>>();

/**
 * What redaction took out of a message, kept only in memory while it is ingested: the customer's
 * new words before redaction (a credentials hand-over needs them, T4) and how many secrets.
 */
const redactedFrom = new WeakMap<InboundMessage, { secretText: string; count: number }>();
/** Work to run after the message's transaction committed (billing's session hook). */
const afterCommit = new WeakMap<InboundMessage, () => void>();

/**
 * Stores one inbound message and does what it calls for, in one transaction: thread it, open or
 * reopen a ticket, queue the acknowledgement. Idempotent on (channel, externalId). Messages that
 * arrive while the store is busy share a transaction (see TransactionBatches); the outcome of
 * each is the same as if it had been stored alone.
 */
export async function ingest(ctx: CoreContext, received: InboundMessage): Promise<IngestOutcome> {
  // NUL characters (seen in real mail) would make PostgreSQL refuse the subject, the text, the
  // acknowledgement built from them: clean once here, so every later step gets storable text.
  const clean = withoutNul(received);
  // Secrets (passwords, card numbers, IBANs) go before anything is stored, logged or queued (T8).
  const { message, count } = await redactInbound(clean);
  if (count > 0) redactedFrom.set(message, { secretText: clean.newText, count });
  let batches = batchesByContext.get(ctx);
  if (!batches) {
    batches = new TransactionBatches(
      ctx.database,
      (tx, queued) => {
        // A batch retried message by message must not keep a booking from the rolled-back try.
        afterSlotAnswer.delete(queued);
        return ingestInTransaction(ctx, tx, queued);
      },
      (queued) => ingestAlone(ctx, queued),
      () => ctx.jobs.wake(),
      // One transaction at a time keeps messages in arrival order (a reply after the mail it
      // answers); PGlite runs one at a time anyway.
      { maxBatch: 32, concurrency: 1 },
    );
    batchesByContext.set(ctx, batches);
  }
  const outcome = await batches.submit(message);
  afterCommit.get(message)?.();
  afterCommit.delete(message);
  // A slot picked in the chat is booked once the message is stored (slot-answers.ts).
  const after = afterSlotAnswer.get(message);
  if (after) {
    afterSlotAnswer.delete(message);
    try {
      await after();
    } catch (error) {
      // The message is stored; a failed booking must not make the channel deliver it again.
      await ctx.database.transaction((tx) =>
        alertStaff(tx, {
          kind: 'slot_answer_failed',
          ticketId: 'ticketId' in outcome && outcome.ticketId ? BigInt(outcome.ticketId) : undefined,
          text: `The customer's answer to a slot offer could not be carried out: ${errorSummary(error)}`,
        }),
      );
    }
  }
  return outcome;
}

const afterSlotAnswer = new WeakMap<InboundMessage, AfterSlotAnswer>();

async function ingestAlone(ctx: CoreContext, message: InboundMessage): Promise<IngestOutcome> {
  try {
    const outcome = await ctx.database.transaction((tx) => ingestInTransaction(ctx, tx, message));
    ctx.jobs.wake();
    return outcome;
  } catch (error) {
    if (!(error instanceof DuplicateInbound)) throw error;
    const existing = await existingInbound({ db: ctx.database.db, sql: ctx.database.sql }, message);
    const held = existing?.newText === CREDENTIALS_PLACEHOLDER ? { heldCredentials: true as const } : {};
    return { status: 'duplicate', messageId: String(existing?.id ?? ''), ...held };
  }
}

async function ingestInTransaction(
  ctx: CoreContext,
  tx: Tx,
  received: InboundMessage,
): Promise<IngestOutcome> {
  const outcome = await decide(ctx, tx, received);
  const redacted = redactedFrom.get(received);
  if (redacted && outcome.status !== 'duplicate') await alertRedacted(tx, outcome, redacted.count);
  return outcome;
}

async function decide(ctx: CoreContext, tx: Tx, received: InboundMessage): Promise<IngestOutcome> {
  let message = received;
  // A message stored before makes storeMessage throw DuplicateInbound, which rolls back whatever
  // this transaction did; checking first would cost every message a query for a rare case.
  if (message.editOf) {
    const original = await originalOfEdit(tx, {
      ...message,
      externalId: message.editOf,
      contentHash: undefined,
    });
    const stored = await credentialsEdit(
      ctx,
      tx,
      message,
      redactedFrom.get(received)?.secretText ?? message.newText,
      original?.id,
    );
    const id = await storeMessage(tx, stored, {
      ticketId: original?.ticketId ?? undefined,
      disposition: 'edit',
      editOf: original?.id,
    });
    return { status: 'edit', messageId: String(id), ticketId: original?.ticketId?.toString() };
  }

  const head = await albumHead(tx, message);
  if (head) {
    const outcome = await addToAlbum(tx, message, head, ctx.now());
    await noticeOmittedInAlbum(ctx, tx, message, head);
    return outcome;
  }

  if (message.senderVerification === 'fail') {
    const suspicious = await keepSuspiciousUnlessProven(ctx, tx, message);
    if (suspicious) return suspicious;
    message = { ...message, senderVerification: 'reply_token' };
  }

  if (message.bouncedExternalIds?.length) {
    await markBouncedDeliveries(tx, message, ctx.replyTokenSecret);
  }

  const sender = await findSender(tx, message.sender);
  if (!sender || isBlockedCustomer(sender.customer.status)) {
    return handleUnknownSender(
      ctx,
      tx,
      message,
      sender ? `customer ${sender.customer.status}` : 'unknown sender',
    );
  }
  const match = await consentDecidesChoice(
    ctx,
    tx,
    message,
    redactedFrom.get(received)?.secretText ?? message.newText,
    await matchThread(tx, message, sender.customer.id, ctx.replyTokenSecret),
  );
  if (
    message.senderVerification === 'none' &&
    match.ticket &&
    replyTokenNumbers(message, ctx.replyTokenSecret).includes(match.ticket.number)
  ) {
    // No verdict from the provider, but our reply token proves the sender got our mail.
    message = { ...message, senderVerification: 'reply_token' };
  }
  for (const number of match.rejected) {
    await audit(tx, {
      actor: `${message.sender.kind}:${message.sender.address}`,
      action: 'thread.rejected',
      customerId: sender.customer.id,
      data: {
        ticketNumber: number,
        externalId: message.externalId,
        reason: 'sender is not the ticket customer',
      },
    });
  }

  if (message.automated?.kind === 'alert' && !match.ticket && !match.choices) {
    // A device of a known customer (NAS, backup job, monitoring box) reporting a problem: shops
    // want a ticket, marked automatic; nothing is sent back to the machine.
    return openNewTicket(ctx, tx, message, sender, undefined, { automatic: true });
  }
  if (message.automated) {
    const id = await storeMessage(tx, message, {
      ticketId: match.ticket?.id,
      customerId: sender.customer.id,
      disposition: 'automated',
      reason: `${message.automated.kind}: ${message.automated.reason}`,
    });
    return { status: 'automated', messageId: String(id), ticketId: match.ticket?.id.toString() };
  }

  if (match.choices && !message.noAutomaticAnswer) {
    const id = await storeMessage(tx, message, {
      customerId: sender.customer.id,
      disposition: 'awaiting_choice',
    });
    const locale = toLocale(sender.customer.locale);
    await enqueueOutbound(ctx, tx, {
      channel: message.channel,
      recipient: {
        kind: sender.identity.kind as InboundMessage['sender']['kind'],
        address: sender.identity.address,
      },
      automatic: true,
      content: chooseTicket(
        { tickets: match.choices.map((t) => ({ number: t.number, subject: t.subject })) },
        locale,
      ),
      replyToExternalId: message.externalId,
      conversationId: message.thread.conversationId,
    });
    return {
      status: 'awaiting_choice',
      messageId: String(id),
      ticketNumbers: match.choices.map((t) => t.number),
    };
  }

  const ticket = match.ticket;
  if (ticket) {
    const followUp = await reopenOrFollowUp(
      ctx,
      tx,
      ticket,
      `${message.sender.kind}:${message.sender.address}`,
    );
    if (followUp) {
      return openNewTicket(ctx, tx, message, sender, ticket);
    }
    // A reply to a consent request, the remote tool's credentials, or a stop (T4, T5).
    const consent = await answerConsentFromMessage(
      ctx,
      tx,
      message,
      redactedFrom.get(received)?.secretText ?? message.newText,
      sender,
      ticket,
    );
    if (consent) {
      if (consent.after) afterCommit.set(received, consent.after);
      return consent.outcome;
    }
    const id = await storeMessage(tx, message, {
      ticketId: ticket.id,
      customerId: sender.customer.id,
      disposition: 'ticket',
      ticketUpdatedAt: ctx.now(),
    });
    await noticeOmittedAttachments(ctx, tx, message, sender, ticket);
    const booking = await answerSlotOffer(ctx, tx, ticket, message);
    if (booking) afterSlotAnswer.set(message, booking);
    return {
      status: 'threaded',
      messageId: String(id),
      ticketId: String(ticket.id),
      ticketNumber: ticket.number,
    };
  }
  return openNewTicket(ctx, tx, message, sender);
}

async function openNewTicket(
  ctx: CoreContext,
  tx: Tx,
  message: InboundMessage,
  sender: { identity: IdentityRow; customer: CustomerRow },
  previous?: TicketRow,
  options: { automatic?: boolean } = {},
): Promise<IngestOutcome> {
  const ticket = await openTicket(ctx, tx, {
    automatic: options.automatic,
    customer: sender.customer,
    identity: sender.identity,
    subject: ticketSubjectFrom(message),
    channel: message.channel,
    conversationId: message.thread.conversationId,
    previousTicketId: previous?.id,
    arrivedAt: message.arrivedAt,
  });
  const id = await storeMessage(tx, message, {
    ticketId: ticket.id,
    customerId: sender.customer.id,
    disposition: 'ticket',
    ...(message.automated ? { reason: `${message.automated.kind}: ${message.automated.reason}` } : {}),
  });
  const result: IngestOutcome = {
    status: 'new_ticket',
    messageId: String(id),
    ticketId: String(ticket.id),
    ticketNumber: ticket.number,
  };
  if (!mayAnswerAutomatically(message)) return result;
  const locale = toLocale(sender.customer.locale);
  const contractRate = sender.customer.hourlyRateCents !== null;
  await enqueueOutbound(ctx, tx, {
    ticket,
    channel: message.channel,
    recipient: { kind: message.sender.kind, address: sender.identity.address },
    automatic: true,
    content: acknowledgement(
      {
        ticketNumber: ticket.number,
        subject: ticket.subject,
        hourlyRateCents: sender.customer.hourlyRateCents ?? ctx.settings.hourlyRateCents,
        contractRate,
        vatPercent: ctx.settings.vatPercent,
        companyName: ctx.settings.companyName,
        openingHours: ctx.settings.openingHours,
      },
      locale,
    ),
    replyToExternalId: message.externalId,
    // The ticket was opened by this message: its thread is this message alone.
    emailThread: { inReplyTo: message.externalId, references: [message.externalId] },
  });
  await noticeOmittedAttachments(ctx, tx, message, sender, ticket);
  return result;
}

/** Nothing automatic answers machine mail or mail the channel marked so (old mail at first start). */
function mayAnswerAutomatically(message: InboundMessage): boolean {
  return !message.automated && !message.noAutomaticAnswer;
}

async function noticeOmittedAttachments(
  ctx: CoreContext,
  tx: Tx,
  message: InboundMessage,
  sender: { identity: IdentityRow; customer: CustomerRow },
  ticket: TicketRow,
): Promise<void> {
  const omitted = message.attachments.filter((a) => a.omittedReason);
  if (omitted.length === 0 || !mayAnswerAutomatically(message)) return;
  await enqueueOutbound(ctx, tx, {
    ticket,
    channel: message.channel,
    recipient: { kind: message.sender.kind, address: sender.identity.address },
    automatic: true,
    content: attachmentsOmitted(
      {
        ticketNumber: ticket.number,
        subject: ticket.subject,
        files: omitted.map((a) => ({ filename: a.filename, reason: a.omittedReason! })),
      },
      toLocale(sender.customer.locale),
    ),
    replyToExternalId: message.externalId,
  });
}

/** The message an edit is about: for an album item after the first, the album's message. */
async function originalOfEdit(tx: Tx, edited: InboundMessage) {
  const original = await existingInbound(tx, edited);
  if (!original?.partOfMessageId) return original;
  const [album] = await tx.db
    .select({ id: messages.id, ticketId: messages.ticketId })
    .from(messages)
    .where(eq(messages.id, original.partOfMessageId));
  return album ?? original;
}

/** An album item with files over the cap: the customer is told, as for any message. */
async function noticeOmittedInAlbum(ctx: CoreContext, tx: Tx, message: InboundMessage, head: AlbumHead) {
  if (head.ticketId === null || !message.attachments.some((a) => a.omittedReason)) return;
  const sender = await findSender(tx, message.sender);
  const [ticket] = await tx.db.select().from(tickets).where(eq(tickets.id, head.ticketId));
  if (sender && ticket) await noticeOmittedAttachments(ctx, tx, message, sender, ticket);
}
