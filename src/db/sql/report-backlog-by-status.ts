import type { SqlClient } from '../database.js';
import type { TicketStatus } from '../statuses.js';

/** Tickets now in each of `statuses` (the open ones: the backlog, #25); absent statuses count 0. */
export async function reportBacklogByStatus(
  sql: SqlClient,
  statuses: readonly TicketStatus[],
): Promise<Array<{ status: TicketStatus; tickets: number }>> {
  const { rows } = await sql.query<{ status: TicketStatus; tickets: number }>(
    `select status, count(*)::int as tickets from tickets where status = any($1::text[]) group by status`,
    [statuses],
  );
  const count = new Map(rows.map((r) => [r.status, r.tickets]));
  return statuses.map((status) => ({ status, tickets: count.get(status) ?? 0 }));
}
