import { inArray } from 'drizzle-orm';
import type { Db } from '../database.js';
import { deliveries } from '../schema.js';

/** The deliveries of these messages. */
export async function deliveriesOfMessages(
  db: Db,
  messageIds: readonly bigint[],
): Promise<(typeof deliveries.$inferSelect)[]> {
  if (messageIds.length === 0) return [];
  return db
    .select()
    .from(deliveries)
    .where(inArray(deliveries.messageId, [...messageIds]));
}
