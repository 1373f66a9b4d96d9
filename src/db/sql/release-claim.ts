import type { SqlClient } from '../database.js';

/**
 * Undoes the claim numbered `attempts` of a `sending` delivery whose send never started: due at
 * `now` again, `queued` or `retrying` as before. Returns false when the claim was lost.
 */
export async function releaseClaim(
  sql: SqlClient,
  params: { deliveryId: bigint; attempts: number; now: Date },
): Promise<boolean> {
  const { rows } = await sql.query(
    `update deliveries set attempts = attempts - 1, next_attempt_at = $3,
       status = case when attempts > 1 then 'retrying' else 'queued' end
     where id = $1 and status = 'sending' and attempts = $2 returning id`,
    [params.deliveryId.toString(), params.attempts, params.now],
  );
  return rows.length > 0;
}
