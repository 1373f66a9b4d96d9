import type { SqlClient } from '../database.js';

/** Every `sending` delivery whose lease runs past `now` becomes claimable at `now`; returns how many. */
export async function releaseLeases(sql: SqlClient, now: Date): Promise<number> {
  const { rows } = await sql.query(
    `update deliveries set next_attempt_at = $1 where status = 'sending' and next_attempt_at > $1 returning id`,
    [now],
  );
  return rows.length;
}
