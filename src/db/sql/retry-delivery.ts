import type { SqlClient } from '../database.js';

/**
 * A `sending` delivery still held by the claim numbered `attempts` becomes `retrying` until
 * `nextAttemptAt`. Returns false when the claim was lost (nothing changed).
 */
export async function retryDelivery(
  sql: SqlClient,
  params: { deliveryId: bigint; attempts: number; reason: string; nextAttemptAt: Date },
): Promise<boolean> {
  const { rows } = await sql.query(
    `update deliveries set status = 'retrying', last_error = $3, next_attempt_at = $4
     where id = $1 and status = 'sending' and attempts = $2 returning id`,
    [params.deliveryId.toString(), params.attempts, params.reason, params.nextAttemptAt],
  );
  return rows.length > 0;
}
