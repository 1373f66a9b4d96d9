import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../database.js';
import { tickets } from '../schema.js';
import type { TicketStatus } from '../statuses.js';

/** The customer's tickets in `statuses` opened from this chat conversation, newest first, at most `limit`. */
export async function openTicketsOfConversation(
  db: Db,
  params: {
    customerId: bigint;
    channel: string;
    conversationId: string;
    statuses: readonly TicketStatus[];
    limit: number;
  },
): Promise<(typeof tickets.$inferSelect)[]> {
  return db
    .select()
    .from(tickets)
    .where(
      and(
        eq(tickets.customerId, params.customerId),
        eq(tickets.originChannel, params.channel),
        eq(tickets.conversationId, params.conversationId),
        inArray(tickets.status, [...params.statuses]),
      ),
    )
    .orderBy(desc(tickets.id))
    .limit(params.limit);
}
