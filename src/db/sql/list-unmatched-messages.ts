import { and, desc, eq, isNull, lt, ne } from 'drizzle-orm';
import type { Db } from '../database.js';
import { messages } from '../schema.js';

/**
 * Inbound messages on no ticket, newest (last stored) first; later album items (bookkeeping rows)
 * left out. `before`: only messages with a smaller id (keyset paging, on the `messages_unmatched`
 * partial index); `offset` pages by count instead (the REST API).
 */
export async function listUnmatchedMessages(
  db: Db,
  params: { limit: number; offset?: number; before?: bigint },
): Promise<(typeof messages.$inferSelect)[]> {
  return db
    .select()
    .from(messages)
    .where(
      and(
        isNull(messages.ticketId),
        eq(messages.direction, 'inbound'),
        // Later album items are bookkeeping: their files and words are on the album's message.
        ne(messages.disposition, 'album_part'),
        params.before === undefined ? undefined : lt(messages.id, params.before),
      ),
    )
    .orderBy(desc(messages.id))
    .limit(params.limit)
    .offset(params.offset ?? 0);
}
