import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../database.js';
import { tickets } from '../schema.js';
import type { TicketStatus } from '../statuses.js';

/** Tickets, newest first, optionally of one status and one customer. */
export async function listTickets(
  db: Db,
  params: { status?: TicketStatus; customerId?: bigint; limit: number; offset: number },
): Promise<(typeof tickets.$inferSelect)[]> {
  const filters: SQL[] = [];
  if (params.status) filters.push(eq(tickets.status, params.status));
  if (params.customerId !== undefined) filters.push(eq(tickets.customerId, params.customerId));
  return db
    .select()
    .from(tickets)
    .where(and(...filters))
    .orderBy(desc(tickets.number))
    .limit(params.limit)
    .offset(params.offset);
}
