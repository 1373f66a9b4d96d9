import { and, asc, eq, isNull } from 'drizzle-orm';
import { listConsents } from '../core/consent/consent-store.js';
import type { CoreContext } from '../core/core-context.js';
import { theirMessages } from '../core/erasure.js';
import { termsAcceptancesOf } from '../core/terms.js';
import {
  appointments,
  auditLog,
  billingContracts,
  customers,
  erasureRequests,
  identities,
  messages,
  prepaidPackages,
  tickets,
  timeEntries,
  webAccounts,
} from '../db/schema.js';
import { toLocale } from '../templates/format.js';
import { myHourSummaries, myTicket } from './portal-data.js';

/** A mailed link's token is a secret even in the customer's own download: it is cut out. */
const withoutLinkTokens = (text: string) => text.replace(/token=[^\s"'<>&]+/g, 'token=[removed]');

/**
 * Everything we hold about the customer (GDPR art. 15 and 20; T8), as JSON: the customer and its
 * contract terms, identities, account (without its password hash), terms accepted, tickets with
 * their messages and the attachments' names and sizes, messages outside a ticket (those kept as
 * theirs, those sent from their addresses before registering, the link mails we sent them), consent
 * records (T4, T5, T7), appointments, time entries and each ticket's hour summary (T6), erasure
 * requests and the audit entries about them. Never another customer's data, and no secret: no
 * password hash, set-password or link codes, session ids, technicians' private Slack ids; remote
 * access credentials are never stored at all (T4). docs/web-portal.md, "Download my data".
 */
export async function exportMyData(ctx: CoreContext, customerId: bigint) {
  const db = ctx.database.db;
  const [customer] = await db.select().from(customers).where(eq(customers.id, customerId));
  const [account] = await db
    .select({
      email: webAccounts.email,
      contactName: webAccounts.contactName,
      telegramUsername: webAccounts.telegramUsername,
      passwordSetAt: webAccounts.passwordSetAt,
      privacyAcceptedAt: webAccounts.privacyAcceptedAt,
      createdAt: webAccounts.createdAt,
    })
    .from(webAccounts)
    .where(eq(webAccounts.customerId, customerId));
  const ticketRows = await db
    .select()
    .from(tickets)
    .where(eq(tickets.customerId, customerId))
    .orderBy(asc(tickets.id));
  const myIdentities = await db
    .select({
      kind: identities.kind,
      address: identities.address,
      displayName: identities.displayName,
      verified: identities.verified,
      createdAt: identities.createdAt,
    })
    .from(identities)
    .where(eq(identities.customerId, customerId))
    .orderBy(asc(identities.id));
  const numbers = new Map(ticketRows.map((t) => [t.id.toString(), t.number]));
  const conversation = [];
  for (const ticket of ticketRows) {
    const full = await myTicket(ctx, customerId, ticket.number);
    conversation.push({
      number: ticket.number,
      subject: ticket.subject,
      status: ticket.status,
      channel: ticket.originChannel,
      createdAt: ticket.createdAt,
      messages: full?.messages.map((m) => ({
        direction: m.direction,
        channel: m.channel,
        author: m.author ?? m.senderName,
        text: m.newText,
        at: m.createdAt,
        attachments: m.attachments.map((a) => ({ filename: a.filename, size: a.size })),
      })),
    });
  }
  const consents = (await listConsents(db, { customerId }))
    .filter((c) => numbers.has(c.ticketId.toString()))
    .map((c) => ({
      id: c.id,
      requestId: c.requestId,
      event: c.event,
      ticketNumber: numbers.get(c.ticketId.toString()),
      technician: c.technician,
      channel: c.channel,
      identity: c.identity,
      requestText: c.requestText,
      answerText: c.answerText,
      answerVia: c.answerVia,
      backupConfirmed: c.backupConfirmed,
      termsVersion: c.termsVersion,
      quickAccess: c.quickAccess,
      minutes: c.minutes,
      at: c.at,
    }));
  return {
    exportedAt: ctx.now(),
    customer,
    billingContract:
      (await db.select().from(billingContracts).where(eq(billingContracts.customerId, customerId)))[0] ??
      null,
    prepaidPackages: await db
      .select()
      .from(prepaidPackages)
      .where(eq(prepaidPackages.customerId, customerId))
      .orderBy(asc(prepaidPackages.id)),
    account,
    identities: myIdentities,
    termsAcceptances: await termsAcceptancesOf(ctx, customerId),
    tickets: conversation,
    // The same selection as erasure: also mails sent before registering and the link mails we sent.
    messagesWithoutTicket: (
      await db
        .select({
          direction: messages.direction,
          channel: messages.channel,
          text: messages.newText,
          disposition: messages.disposition,
          at: messages.createdAt,
        })
        .from(messages)
        .where(and(isNull(messages.ticketId), theirMessages(customerId, myIdentities, [])))
        .orderBy(asc(messages.id))
    ).map((m) => ({ ...m, text: withoutLinkTokens(m.text) })),
    consents,
    appointments: await db
      .select({
        ticketNumber: tickets.number,
        technician: appointments.technician,
        kind: appointments.kind,
        status: appointments.status,
        startAt: appointments.startAt,
        endAt: appointments.endAt,
      })
      .from(appointments)
      .innerJoin(tickets, eq(tickets.id, appointments.ticketId))
      .where(eq(tickets.customerId, customerId))
      .orderBy(asc(appointments.startAt), asc(appointments.id)),
    timeEntries: await db
      .select({
        ticketNumber: tickets.number,
        technician: timeEntries.technician,
        startedAt: timeEntries.startedAt,
        minutes: timeEntries.minutes,
        kind: timeEntries.kind,
        billable: timeEntries.billable,
        note: timeEntries.note,
        status: timeEntries.status,
        billedAt: timeEntries.billedAt,
      })
      .from(timeEntries)
      .innerJoin(tickets, eq(tickets.id, timeEntries.ticketId))
      .where(eq(tickets.customerId, customerId))
      .orderBy(asc(timeEntries.startedAt), asc(timeEntries.id)),
    hourSummaries: await myHourSummaries(ctx, customerId, toLocale(customer?.locale ?? 'it')),
    erasureRequests: await db
      .select()
      .from(erasureRequests)
      .where(eq(erasureRequests.customerId, customerId)),
    auditLog: await db
      .select({ action: auditLog.action, at: auditLog.at, data: auditLog.data })
      .from(auditLog)
      .where(eq(auditLog.customerId, customerId))
      .orderBy(asc(auditLog.id)),
  };
}
