import type { SqlClient } from '../database.js';
import { PENDING_DELIVERY_SQL } from '../statuses.js';
import { type ClaimedDeliveryRow, claimedColumns, OLDER_PENDING } from './delivery-shared.js';

const CLAIM_MANY_SQL = `update deliveries d set status = 'sending', attempts = d.attempts + 1, next_attempt_at = $3
  from (select id, status as previous from deliveries where id = any($1::bigint[]) order by id for update) p
  where d.id = p.id and d.status in (${PENDING_DELIVERY_SQL})
    and coalesce(d.next_attempt_at, '-infinity') <= $2
    and not ${OLDER_PENDING}
  returning ${claimedColumns('d')}, p.previous`;

/**
 * {@link claimDelivery} for several deliveries in one statement: rows are locked in id order, so
 * two overlapping batches cannot deadlock. Returns the rows claimed, in no set order.
 */
export async function claimDeliveries(
  sql: SqlClient,
  params: { deliveryIds: readonly bigint[]; now: Date; leaseUntil: Date },
): Promise<ClaimedDeliveryRow[]> {
  const { rows } = await sql.query<ClaimedDeliveryRow>(CLAIM_MANY_SQL, [
    `{${params.deliveryIds.map(String).join(',')}}`,
    params.now,
    params.leaseUntil,
  ]);
  return rows;
}
