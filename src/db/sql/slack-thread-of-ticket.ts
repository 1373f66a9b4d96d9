import type { SqlClient } from '../database.js';

/** The Slack thread (channel and `ts`) of the ticket with this id, or undefined. */
export async function slackThreadOfTicket(
  sql: SqlClient,
  ticketId: bigint,
): Promise<{ channel_id: string; thread_ts: string } | undefined> {
  const { rows } = await sql.query<{ channel_id: string; thread_ts: string }>(
    'select channel_id, thread_ts from slack_threads where ticket_id = $1',
    [ticketId.toString()],
  );
  return rows[0];
}
