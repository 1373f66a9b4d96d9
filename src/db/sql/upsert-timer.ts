import type { SqlClient } from '../database.js';

export interface UpsertTimerParams {
  key: string;
  kind: string;
  ticketId: bigint | null;
  customerId: bigint | null;
  dueAt: Date;
}

/**
 * Adds a timer, or moves an existing one to `dueAt`. A timer moved to another time fires again
 * (its `fired_at` is cleared) unless it is a breach already recorded: a deadline passed stays
 * passed. Returns whether the timer is (still or again) waiting.
 */
export async function upsertTimer(sql: SqlClient, p: UpsertTimerParams): Promise<{ waiting: boolean }> {
  const { rows } = await sql.query<{ waiting: boolean }>(
    `insert into timers (key, kind, ticket_id, customer_id, due_at)
     values ($1, $2, $3, $4, $5)
     on conflict (key) do update set
       due_at = excluded.due_at,
       fired_at = case when timers.due_at = excluded.due_at or timers.kind = 'first_contact.breach'
         then timers.fired_at else null end,
       outcome = case when timers.due_at = excluded.due_at or timers.kind = 'first_contact.breach'
         then timers.outcome else null end
     returning fired_at is null as waiting`,
    [p.key, p.kind, p.ticketId?.toString() ?? null, p.customerId?.toString() ?? null, p.dueAt],
  );
  return rows[0]!;
}
