import type { SqlClient } from '../database.js';

/** Keys of the timers due at `now` that have not fired, oldest first (at most `limit`). */
export async function dueTimerKeys(sql: SqlClient, now: Date, limit: number): Promise<string[]> {
  const { rows } = await sql.query<{ key: string }>(
    'select key from timers where fired_at is null and due_at <= $1 order by due_at limit $2',
    [now, limit],
  );
  return rows.map((r) => r.key);
}
