import { asc, eq } from 'drizzle-orm';
import type { Db } from '../database.js';
import { messages } from '../schema.js';

/** The ticket's messages, oldest first. */
export async function listTicketMessages(
  db: Db,
  ticketId: bigint,
): Promise<(typeof messages.$inferSelect)[]> {
  return db.select().from(messages).where(eq(messages.ticketId, ticketId)).orderBy(asc(messages.id));
}
