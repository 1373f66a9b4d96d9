import { and, count, eq, gt, isNull, ne, notInArray, or } from 'drizzle-orm';
import type { Db } from '../database.js';
import { deliveries } from '../schema.js';
import { type DeliveryPurpose, OWN_BUDGET_PURPOSES } from '../statuses.js';

/**
 * Automatic deliveries (not suppressed) to the recipient created after `since`: those of `purpose`
 * alone when it has a budget of its own (OWN_BUDGET_PURPOSES), every other automatic delivery otherwise.
 */
export async function countRecentAutomaticDeliveries(
  db: Db,
  params: { recipientKind: string; recipientAddress: string; purpose?: DeliveryPurpose; since: Date },
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
        params.purpose && (OWN_BUDGET_PURPOSES as readonly string[]).includes(params.purpose)
          ? eq(deliveries.purpose, params.purpose)
          : or(isNull(deliveries.purpose), notInArray(deliveries.purpose, [...OWN_BUDGET_PURPOSES])),
      ),
    );
  return row?.n ?? 0;
}
