/**
 * What technicians do from Slack (card buttons and `/helpdesk`), on the store. Each action is
 * audited with the Slack user as actor; the card follows by itself (the mirror sees the change).
 */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { audit } from '../../core/audit.js';
import { redactText } from '../../core/consent/redaction.js';
import type { CoreContext } from '../../core/core-context.js';
import { OPEN_STATUSES } from '../../core/lifecycle.js';
import { assignTicket } from '../../core/ticket-actions.js';
import { getTicketByNumber, setStatus, writeTechnicianMessage } from '../../core/tickets.js';
import { customers, messages, tickets } from '../../db/schema.js';
import { escapeChatMarkup } from '../../templates/format.js';

export interface SlackActor {
  userId: string;
  name: string;
  /** The audit actor: `staff:<id>` when a staff account has this Slack id, else `slack:<id>` (src/core/actors.ts). */
  actor: string;
}

const actorOf = (who: SlackActor) => who.actor;

/** Told to a technician whose text had a password, card number or IBAN in it (T8). */
export const REDACTED_NOTICE =
  ':lock: Password o dati riservati sostituiti da [redacted] prima di salvare e inoltrare. / Secrets replaced by [redacted] before storing and relaying.';
/** Added for a thread reply: Slack itself keeps what was typed there. */
export const REDACTED_IN_SLACK =
  ' Il testo originale resta nel thread di Slack: modificalo lì per toglierlo. / The original stays in the Slack thread: edit it there to remove it.';

/** Assigns the ticket to the technician (their Slack display name). */
export async function takeTicket(core: CoreContext, number: number, who: SlackActor): Promise<string> {
  await assignTicket(core, number, who.name, actorOf(who));
  const name = escapeChatMarkup(who.name);
  return `Ticket #${number} assegnato a ${name}. / Ticket #${number} assigned to ${name}.`;
}

/** Resolves or reopens; throws InvalidTransitionError when the lifecycle does not allow it. */
export async function changeStatus(
  core: CoreContext,
  number: number,
  to: 'resolved' | 'open',
  who: SlackActor,
): Promise<string> {
  return core.database.transaction(async (tx) => {
    const ticket = await getTicketByNumber(tx, number);
    await setStatus(core, tx, ticket, to, actorOf(who));
    return to === 'resolved'
      ? `Ticket #${number} risolto. / Ticket #${number} resolved.`
      : `Ticket #${number} riaperto. / Ticket #${number} reopened.`;
  });
}

/** An internal note (never sent to the customer). */
export async function addNote(
  core: CoreContext,
  number: number,
  text: string,
  who: SlackActor,
): Promise<bigint> {
  const result = await core.database.transaction((tx) =>
    writeTechnicianMessage(core, tx, {
      ticketNumber: number,
      author: who.name,
      text,
      internal: true,
      actor: actorOf(who),
    }),
  );
  return result.messageId;
}

/**
 * A logged phone call: kept as a note, and it meets the first-contact deadline (T2: "helpdesk,
 * phone or email").
 */
export async function logPhoneContact(
  core: CoreContext,
  number: number,
  text: string,
  who: SlackActor,
): Promise<string> {
  return core.database.transaction(async (tx) => {
    const ticket = await getTicketByNumber(tx, number);
    const now = core.now();
    // Kept as a note, so redacted as one (T8).
    const redacted = redactText(text);
    await tx.db.insert(messages).values({
      ticketId: ticket.id,
      direction: 'note',
      channel: 'slack',
      author: who.name,
      newText: `Telefonata: ${redacted.text}`,
      fullText: `Telefonata: ${redacted.text}`,
      customerId: ticket.customerId,
    });
    await tx.db.update(tickets).set({ updatedAt: now }).where(eq(tickets.id, ticket.id));
    await tx.db
      .update(tickets)
      .set({ firstContactAt: now })
      .where(and(eq(tickets.id, ticket.id), isNull(tickets.firstContactAt)));
    await audit(tx, {
      actor: actorOf(who),
      action: 'ticket.contact',
      ticketId: ticket.id,
      data: { medium: 'phone' },
    });
    return `Telefonata registrata sul ticket #${number}. / Phone call logged on ticket #${number}.${redacted.count > 0 ? ` ${REDACTED_NOTICE}` : ''}`;
  });
}

/**
 * Open tickets, oldest first, one line each (at most `limit`). Subject, customer and assignee are
 * escaped for Slack's mrkdwn: a customer cannot make Slack show a mention, `@channel` or a link.
 */
export async function listOpenTickets(core: CoreContext, limit = 20): Promise<string> {
  const rows = await core.database.db
    .select({
      number: tickets.number,
      subject: tickets.subject,
      status: tickets.status,
      assignee: tickets.assignee,
      customer: customers.name,
    })
    .from(tickets)
    .innerJoin(customers, eq(customers.id, tickets.customerId))
    .where(inArray(tickets.status, [...OPEN_STATUSES]))
    .orderBy(asc(tickets.number))
    .limit(limit);
  if (rows.length === 0) return 'Nessun ticket aperto. / No open tickets.';
  return rows
    .map(
      (r) =>
        `#${r.number} ${escapeChatMarkup(r.subject)} — ${escapeChatMarkup(r.customer)} — ${r.status}${r.assignee ? ` — ${escapeChatMarkup(r.assignee)}` : ''}`,
    )
    .join('\n');
}
