import { and, count, eq, gt, ne, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { deliveries } from '../schema.js';

/**
 * Automatic deliveries (not suppressed) to the recipient created after `since`: `link` mails
 * alone when `purpose` is `link`, every other automatic delivery otherwise.
 */
export async function countRecentAutomaticDeliveries(
  db: Db,
  params: { recipientKind: string; recipientAddress: string; purpose?: string; since: Date },
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.recipientKind, params.recipientKind),
        eq(deliveries.recipientAddress, params.recipientAddress),
        eq(deliveries.automatic, true),
        ne(deliveries.status, 'suppressed'),
        gt(deliveries.createdAt, params.since),
        params.purpose === 'link'
          ? eq(deliveries.purpose, 'link')
          : sql`${deliveries.purpose} is distinct from 'link'`,
      ),
    );
  return row?.n ?? 0;
}
