import type { SqlClient } from '../database.js';

/** Every `active` job of pg-boss queue `queue` becomes `retry`, due now (their worker is gone). */
export async function retryActiveJobs(sql: SqlClient, queue: string): Promise<void> {
  await sql.query(
    "update pgboss.job set state = 'retry', start_after = now() where name = $1 and state = 'active'",
    [queue],
  );
}
