import { and, asc, desc, eq, getTableColumns, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { deliveries } from '../schema.js';
import { type DeliveryStatus, PENDING_DELIVERY_STATUSES } from '../statuses.js';

export type DeliveryWithoutPayload = Omit<typeof deliveries.$inferSelect, 'payload'>;

/**
 * Deliveries without their payload: of one status, newest first; or, with `dueBefore`, the
 * pending ones due since before that time, oldest first.
 */
export async function listDeliveries(
  db: Db,
  params: ({ status: DeliveryStatus } | { dueBefore: Date }) & { limit: number; offset: number },
): Promise<DeliveryWithoutPayload[]> {
  const stuck = 'dueBefore' in params;
  const where = stuck
    ? and(
        inArray(deliveries.status, [...PENDING_DELIVERY_STATUSES]),
        lte(sql`coalesce(${deliveries.nextAttemptAt}, ${deliveries.createdAt})`, params.dueBefore),
      )
    : eq(deliveries.status, params.status);
  const { payload: _payload, ...columns } = getTableColumns(deliveries);
  return db
    .select(columns)
    .from(deliveries)
    .where(where)
    .orderBy(stuck ? asc(deliveries.id) : desc(deliveries.id))
    .limit(params.limit)
    .offset(params.offset);
}
