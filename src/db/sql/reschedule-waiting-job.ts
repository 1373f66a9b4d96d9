import type { SqlClient } from '../database.js';

const WAITING_SQL = `update pgboss.job set start_after = $3
     where name = $1 and singleton_key = $2 and state = 'created' returning id`;
const WAITING_OR_RETRYING_SQL = `update pgboss.job set start_after = $3
     where name = $1 and singleton_key = $2 and state in ('created', 'retry') returning id`;

/**
 * The waiting (`created`, and with `includeRetrying` also `retry`) job of pg-boss queue `queue`
 * with `singletonKey` runs at `startAfter`; returns false when there is no such job.
 */
export async function rescheduleWaitingJob(
  sql: SqlClient,
  params: { queue: string; singletonKey: string; startAfter: Date; includeRetrying?: boolean },
): Promise<boolean> {
  const { rows } = await sql.query(params.includeRetrying ? WAITING_OR_RETRYING_SQL : WAITING_SQL, [
    params.queue,
    params.singletonKey,
    params.startAfter,
  ]);
  return rows.length > 0;
}
