import type { SqlClient } from '../database.js';

/**
 * The waiting (`created`) job of pg-boss queue `queue` with `singletonKey` runs at `startAfter`;
 * returns false when there is no such job.
 */
export async function rescheduleWaitingJob(
  sql: SqlClient,
  params: { queue: string; singletonKey: string; startAfter: Date },
): Promise<boolean> {
  const { rows } = await sql.query(
    `update pgboss.job set start_after = $3
     where name = $1 and singleton_key = $2 and state = 'created' returning id`,
    [params.queue, params.singletonKey, params.startAfter],
  );
  return rows.length > 0;
}
