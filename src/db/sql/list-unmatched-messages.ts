import { and, desc, eq, isNull, ne } from 'drizzle-orm';
import type { Db } from '../database.js';
import { messages } from '../schema.js';

/** Inbound messages on no ticket, newest first; later album items (bookkeeping rows) left out. */
export async function listUnmatchedMessages(
  db: Db,
  params: { limit: number; offset: number },
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
      ),
    )
    .orderBy(desc(messages.id))
    .limit(params.limit)
    .offset(params.offset);
}
