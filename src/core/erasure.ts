import { and, asc, eq, inArray, isNotNull, ne, or, type SQL, sql } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import {
  attachmentChunks,
  attachments,
  billingExports,
  customers,
  deliveries,
  erasureRequests,
  identities,
  linkCodes,
  messages,
  rawInputs,
  slackRelays,
  staffAlerts,
  tickets,
  timeEntries,
  timers,
  webAccounts,
  webSessions,
} from '../db/schema.js';
import { rebuildTicketSearch } from '../db/sql/rebuild-ticket-search.js';
import { audit } from './audit.js';
import type { CoreContext } from './core-context.js';
import { ConflictError, NotFoundError } from './errors.js';

/** What erased text reads as, Italian first then English (shown to staff in the ticket history). */
export const ERASED_TEXT = '[cancellato su richiesta del cliente / erased at the customer’s request]';

export type ErasureRequestRow = typeof erasureRequests.$inferSelect;

/** Erasure requests (T8), oldest first; only those with `status` when given. */
export async function listErasureRequests(
  ctx: CoreContext,
  status?: 'requested' | 'done' | 'refused',
): Promise<ErasureRequestRow[]> {
  return ctx.database.db
    .select()
    .from(erasureRequests)
    .where(status ? eq(erasureRequests.status, status) : undefined)
    .orderBy(asc(erasureRequests.id));
}

/** What an executed erasure changed (counts of rows), for the audit log and the staff answer. */
export interface ErasureSummary {
  messages: number;
  attachments: number;
  deliveries: number;
  identities: number;
  /** The customer has billed time: name, VAT number and tax code are kept for the invoices. */
  keptInvoicingIdentity: boolean;
}

/**
 * Carries out a customer's erasure request (T8, GDPR art. 17), in one transaction, as
 * docs/erasure.md explains: the text of every message of theirs (and of the answers they got) is
 * replaced by {@link ERASED_TEXT}, files, raw inputs and copies in the outbox are removed, the
 * sign-in, sessions, identities, link codes and timers are deleted, phone and contact details
 * cleared, and the customer is `suspended`. Kept, as the law asks: time entries and billing exports
 * (the invoicing identity too when something was billed), consent records (append-only evidence),
 * terms acceptances and the audit log. Refused (ConflictError) while a ticket is not closed, or
 * when the request was already decided. Audited as `erasure.executed` by `actor`.
 */
export async function executeErasure(
  ctx: CoreContext,
  requestId: bigint,
  actor: string,
): Promise<{ request: ErasureRequestRow; summary: ErasureSummary }> {
  return ctx.database.transaction(async (tx) => {
    const [request] = await tx.db
      .select()
      .from(erasureRequests)
      .where(eq(erasureRequests.id, requestId))
      .for('update');
    if (!request) throw new NotFoundError('erasure request', requestId.toString());
    if (request.status !== 'requested') {
      throw new ConflictError(`erasure request ${requestId} is already ${request.status}`, {
        status: request.status,
      });
    }
    const customerId = request.customerId;
    const open = await tx.db
      .select({ number: tickets.number })
      .from(tickets)
      .where(and(eq(tickets.customerId, customerId), ne(tickets.status, 'closed')))
      .orderBy(asc(tickets.number));
    if (open.length > 0) {
      const numbers = open.map((t) => `#${t.number}`).join(', ');
      throw new ConflictError(`close the customer's tickets first: ${numbers}`, {
        openTickets: open.map((t) => t.number),
      });
    }
    const summary = await eraseCustomerData(tx, customerId);
    const [done] = await tx.db
      .update(erasureRequests)
      .set({ status: 'done', decidedAt: ctx.now(), decidedBy: actor })
      .where(eq(erasureRequests.id, requestId))
      .returning();
    await audit(tx, { actor, action: 'erasure.executed', customerId, data: summary });
    return { request: done!, summary };
  });
}

/**
 * Which messages are the customer's (T8), for erasure and for the data download alike: those on
 * their tickets, those kept as theirs without a ticket, and those from or to one of their addresses
 * (mails sent before registering, kept as unmatched; link mails we sent them, whose sender columns
 * hold the recipient). docs/erasure.md, first row of the table.
 */
export function theirMessages(
  customerId: bigint,
  ids: ReadonlyArray<{ kind: string; address: string }>,
  ticketIds: readonly bigint[],
): SQL | undefined {
  const fromThem = ids.map((i) =>
    and(eq(messages.senderKind, i.kind), eq(messages.senderAddress, i.address)),
  );
  return or(
    ticketIds.length ? inArray(messages.ticketId, [...ticketIds]) : undefined,
    eq(messages.customerId, customerId),
    ...fromThem,
  );
}

async function eraseCustomerData(tx: Tx, customerId: bigint): Promise<ErasureSummary> {
  const ids = await tx.db.select().from(identities).where(eq(identities.customerId, customerId));
  const ticketIds = (
    await tx.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.customerId, customerId))
  ).map((t) => t.id);
  const mine = theirMessages(customerId, ids, ticketIds);
  // Text quoting one of their addresses, whatever the case. A short chat id (a few digits) would
  // match unrelated text: only mail addresses and ids of 8 characters or more are looked for.
  const addresses = [
    ...new Set(ids.map((i) => i.address.toLowerCase()).filter((a) => a.includes('@') || a.length >= 8)),
  ];
  const naming = (column: SQL) => addresses.map((a) => sql`position(${a} in lower(${column})) > 0`);
  const rows = await tx.db
    .select({ id: messages.id, rawInputId: messages.rawInputId })
    .from(messages)
    .where(mine);
  const messageIds = rows.map((r) => r.id);
  const rawIds = rows.map((r) => r.rawInputId).filter((id): id is bigint => id !== null);
  let attachmentCount = 0;
  let deliveryCount = 0;
  if (messageIds.length) {
    await tx.db
      .update(messages)
      .set({
        newText: ERASED_TEXT,
        fullText: ERASED_TEXT,
        html: null,
        subject: null,
        senderName: null,
        senderAddress: null,
        threadRefs: null,
        rawInputId: null,
      })
      .where(inArray(messages.id, messageIds));
    // Web messages' ids quote the address (`carol@example.test:<nonce>`): an erased marker, still unique.
    if (addresses.length) {
      await tx.db
        .update(messages)
        .set({ externalId: sql`'erased:' || ${messages.id}` })
        .where(and(inArray(messages.id, messageIds), or(...naming(sql`${messages.externalId}`))));
    }
    const files = await tx.db
      .update(attachments)
      .set({ filename: 'erased', content: null, omittedReason: 'erased', contentId: null })
      .where(inArray(attachments.messageId, messageIds))
      .returning({ id: attachments.id });
    attachmentCount = files.length;
    if (files.length) {
      await tx.db.delete(attachmentChunks).where(
        inArray(
          attachmentChunks.attachmentId,
          files.map((f) => f.id),
        ),
      );
    }
    // The outbox's copies: what was still to go is cancelled; the text and address are removed.
    await tx.db
      .update(deliveries)
      .set({ status: 'cancelled', nextAttemptAt: null, lastError: 'erased' })
      .where(
        and(inArray(deliveries.messageId, messageIds), inArray(deliveries.status, ['queued', 'retrying'])),
      );
    const copies = await tx.db
      .update(deliveries)
      .set({
        recipientAddress: 'erased',
        payload: sql`jsonb_build_object('erased', true, 'channel', ${deliveries.channel})`,
      })
      .where(inArray(deliveries.messageId, messageIds))
      .returning({ id: deliveries.id });
    deliveryCount = copies.length;
  }
  if (rawIds.length) await tx.db.delete(rawInputs).where(inArray(rawInputs.id, rawIds));
  if (ticketIds.length) {
    await tx.db
      .update(tickets)
      .set({ subject: ERASED_TEXT, replyIdentityId: null, conversationId: null })
      .where(inArray(tickets.id, ticketIds));
    await tx.db
      .update(slackRelays)
      .set({ text: ERASED_TEXT, files: null })
      .where(inArray(slackRelays.ticketId, ticketIds));
    await rebuildTicketSearch(
      tx.sql,
      ticketIds.map((id) => id.toString()),
    );
  }
  // Alerts to staff quote names, addresses and texts (a registration's alert, a message's), also
  // those without a customer id that name one of their addresses ("kept as unmatched").
  await tx.db
    .update(staffAlerts)
    .set({ text: ERASED_TEXT, data: { customerId: customerId.toString() } })
    .where(
      or(
        sql`${staffAlerts.data}->>'customerId' = ${customerId.toString()}`,
        ticketIds.length ? inArray(staffAlerts.ticketId, ticketIds) : undefined,
        ...naming(sql`${staffAlerts.text}`),
        ...naming(sql`${staffAlerts.data}::text`),
      ),
    );
  // Sign-in and ways to reach or link them.
  await tx.db.delete(webSessions).where(sql`${webSessions.data}->>'customerId' = ${customerId.toString()}`);
  await tx.db.delete(webAccounts).where(eq(webAccounts.customerId, customerId)); // tokens cascade
  await tx.db.delete(linkCodes).where(eq(linkCodes.customerId, customerId));
  await tx.db.delete(timers).where(eq(timers.customerId, customerId));
  await tx.db.delete(identities).where(eq(identities.customerId, customerId));
  const billed = await tx.db
    .select({ id: timeEntries.id })
    .from(timeEntries)
    .innerJoin(tickets, eq(tickets.id, timeEntries.ticketId))
    .where(and(eq(tickets.customerId, customerId), isNotNull(timeEntries.billedAt)))
    .limit(1);
  const [exported] = await tx.db
    .select({ id: billingExports.id })
    .from(billingExports)
    .where(eq(billingExports.customerId, customerId))
    .limit(1);
  const keptInvoicingIdentity = billed.length > 0 || exported !== undefined;
  await tx.db
    .update(customers)
    .set({
      status: 'suspended',
      phone: null,
      quickAccess: false,
      ...(keptInvoicingIdentity
        ? {}
        : { name: `erased customer ${customerId}`, vatNumber: null, taxCode: null }),
    })
    .where(eq(customers.id, customerId));
  return {
    messages: messageIds.length,
    attachments: attachmentCount,
    deliveries: deliveryCount,
    identities: ids.length,
    keptInvoicingIdentity,
  };
}
