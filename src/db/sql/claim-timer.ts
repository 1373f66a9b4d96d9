import type { SqlClient } from '../database.js';

export interface ClaimedTimer {
  key: string;
  kind: string;
  ticket_id: string | null;
  customer_id: string | null;
  due_at: Date;
}

/**
 * Locks a timer that is due at `now` and has not fired (`FOR UPDATE SKIP LOCKED`: a second worker
 * firing the same key at once gets nothing). Inside the transaction that does its work and then
 * records it with `markTimerFired`; a rollback leaves it waiting.
 */
export async function claimTimer(sql: SqlClient, key: string, now: Date): Promise<ClaimedTimer | undefined> {
  const { rows } = await sql.query<ClaimedTimer>(
    `select key, kind, ticket_id::text, customer_id::text, due_at from timers
     where key = $1 and fired_at is null and due_at <= $2
     for update skip locked`,
    [key, now],
  );
  return rows[0];
}
