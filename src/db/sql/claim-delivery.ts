import type { SqlClient } from '../database.js';
import { PENDING_DELIVERY_SQL } from '../statuses.js';
import { type ClaimedDeliveryRow, claimedColumns, OLDER_PENDING } from './delivery-shared.js';

const CLAIM_SQL = `update deliveries d set status = 'sending', attempts = d.attempts + 1, next_attempt_at = $3
  from (select id, status as previous from deliveries where id = $1 for update) p
  where d.id = p.id and d.status in (${PENDING_DELIVERY_SQL})
    and coalesce(d.next_attempt_at, '-infinity') <= $2
    and not ${OLDER_PENDING}
  returning ${claimedColumns('d')}, p.previous`;

/**
 * Moves the delivery to `sending` with a lease until `leaseUntil` (stored in `next_attempt_at`)
 * if it is pending, due at `now` and not behind an older pending delivery to the same recipient.
 * Returns the claimed row, or undefined when it was left alone.
 */
export async function claimDelivery(
  sql: SqlClient,
  params: { deliveryId: bigint; now: Date; leaseUntil: Date },
): Promise<ClaimedDeliveryRow | undefined> {
  const { rows } = await sql.query<ClaimedDeliveryRow>(CLAIM_SQL, [
    params.deliveryId.toString(),
    params.now,
    params.leaseUntil,
  ]);
  return rows[0];
}
