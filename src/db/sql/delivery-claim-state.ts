import type { SqlClient } from '../database.js';
import { OLDER_PENDING } from './delivery-shared.js';

export interface DeliveryClaimStateRow {
  status: string;
  /** Its next attempt (or lease expiry) is at or before `now`. */
  due: boolean;
  /** An older pending delivery to the same recipient goes first. */
  blocked: boolean;
}

/** What decides whether the delivery can be claimed at `now`; undefined when there is no such row. */
export async function deliveryClaimState(
  sql: SqlClient,
  params: { deliveryId: bigint; now: Date },
): Promise<DeliveryClaimStateRow | undefined> {
  const { rows } = await sql.query<DeliveryClaimStateRow>(
    `select d.status, coalesce(d.next_attempt_at, '-infinity') <= $2 as due, ${OLDER_PENDING} as blocked
     from deliveries d where d.id = $1`,
    [params.deliveryId.toString(), params.now],
  );
  return rows[0];
}
