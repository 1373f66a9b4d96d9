/**
 * What technicians read through the API: tickets, a ticket with everything on it, messages on no
 * ticket, alerts and deliveries. The routes in src/api call these, never the schema.
 */

import type { deliveries, messages, staffAlerts } from '../db/schema.js';
import type { AttachmentMetadata } from '../db/sql/attachment-metadata-of-messages.js';
import { attachmentMetadataOfMessages } from '../db/sql/attachment-metadata-of-messages.js';
import { deliveriesOfMessages } from '../db/sql/deliveries-of-messages.js';
import { type DeliveryWithoutPayload, listDeliveries } from '../db/sql/list-deliveries.js';
import { listStaffAlerts } from '../db/sql/list-staff-alerts.js';
import { listTicketMessages } from '../db/sql/list-ticket-messages.js';
import { listTickets as selectTickets } from '../db/sql/list-tickets.js';
import { listUnmatchedMessages } from '../db/sql/list-unmatched-messages.js';
import type { DeliveryStatus, TicketStatus } from '../db/statuses.js';
import type { CoreContext } from './core-context.js';
import { DEGRADED_AFTER_MS } from './outbox/outbox-health.js';
import type { TicketRow } from './threading.js';
import { getTicketByNumber } from './tickets.js';

export type { AttachmentMetadata, DeliveryWithoutPayload };

export interface Paging {
  limit: number;
  offset: number;
}

/** A message with its attachments (metadata only) and deliveries. */
export interface MessageWithParts {
  message: typeof messages.$inferSelect;
  attachments: AttachmentMetadata[];
  deliveries: Array<typeof deliveries.$inferSelect>;
}

/** Tickets, newest first, optionally of one status and one customer. */
export async function listTickets(
  ctx: CoreContext,
  filter: { status?: TicketStatus; customerId?: bigint } & Paging,
): Promise<TicketRow[]> {
  return selectTickets(ctx.database.db, filter);
}

/** The ticket numbered `number` with its messages, oldest first. Throws NotFoundError. */
export async function ticketWithMessages(
  ctx: CoreContext,
  number: number,
): Promise<{ ticket: TicketRow; messages: MessageWithParts[] }> {
  const db = ctx.database.db;
  const ticket = await getTicketByNumber({ db, sql: ctx.database.sql }, number);
  const rows = await listTicketMessages(db, ticket.id);
  const ids = rows.map((m) => m.id);
  const files = await attachmentMetadataOfMessages(db, ids);
  const sends = await deliveriesOfMessages(db, ids);
  return {
    ticket,
    messages: rows.map((message) => ({
      message,
      attachments: files.filter((f) => f.messageId === message.id),
      deliveries: sends.filter((d) => d.messageId === message.id),
    })),
  };
}

/** Inbound messages on no ticket (unknown senders, automatic mail, awaiting a choice), newest first. */
export async function listUnmatched(
  ctx: CoreContext,
  paging: Paging,
): Promise<(typeof messages.$inferSelect)[]> {
  return listUnmatchedMessages(ctx.database.db, paging);
}

/** Unmatched messages per page of the staff page. */
export const UNMATCHED_PAGE_SIZE = 50;

/**
 * One page of unmatched messages, newest first, and the keyset of the next page (`nextBefore`,
 * the last message's id) when there is one: the page stays as fast on page 100 as on page 1.
 */
export async function unmatchedPage(
  ctx: CoreContext,
  query: { before?: bigint; limit?: number },
): Promise<{ rows: (typeof messages.$inferSelect)[]; nextBefore?: bigint }> {
  const limit = query.limit ?? UNMATCHED_PAGE_SIZE;
  const rows = await listUnmatchedMessages(ctx.database.db, { limit: limit + 1, before: query.before });
  if (rows.length <= limit) return { rows };
  const page = rows.slice(0, limit);
  return { rows: page, nextBefore: page[page.length - 1]!.id };
}

/** Staff alerts, newest first. */
export async function listAlerts(
  ctx: CoreContext,
  paging: Paging,
): Promise<(typeof staffAlerts.$inferSelect)[]> {
  return listStaffAlerts(ctx.database.db, paging);
}

/**
 * Deliveries of one status, newest first; `stuck`: pending ones due for over
 * {@link DEGRADED_AFTER_MS}, oldest first. Payloads are left out.
 */
export async function listDeliveriesByStatus(
  ctx: CoreContext,
  status: DeliveryStatus | 'stuck',
  paging: Paging,
): Promise<DeliveryWithoutPayload[]> {
  return listDeliveries(
    ctx.database.db,
    status === 'stuck'
      ? { dueBefore: new Date(ctx.now().getTime() - DEGRADED_AFTER_MS), ...paging }
      : { status, ...paging },
  );
}
