import type { SqlClient } from '../database.js';

/** Records that a claimed timer fired, and what it did. */
export async function markTimerFired(sql: SqlClient, key: string, now: Date, outcome: string): Promise<void> {
  await sql.query('update timers set fired_at = $2, outcome = $3 where key = $1', [key, now, outcome]);
}
