import type { SqlClient } from '../database.js';

/** Sets the ticket's `updated_at` to `at`. */
export async function touchTicket(sql: SqlClient, params: { ticketId: bigint; at: Date }): Promise<void> {
  await sql.query('update tickets set updated_at = $2 where id = $1', [
    params.ticketId.toString(),
    params.at,
  ]);
}
