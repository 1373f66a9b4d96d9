import type { SqlClient } from '../database.js';

/** A `queued` or `retrying` delivery becomes `cancelled`; returns false when it was not one of those. */
export async function cancelDelivery(
  sql: SqlClient,
  params: { deliveryId: bigint; reason: string },
): Promise<boolean> {
  const { rows } = await sql.query(
    `update deliveries set status = 'cancelled', last_error = $2, next_attempt_at = null
     where id = $1 and status in ('queued', 'retrying') returning id`,
    [params.deliveryId.toString(), params.reason],
  );
  return rows.length === 1;
}
