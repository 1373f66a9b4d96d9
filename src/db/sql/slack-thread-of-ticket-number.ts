import type { SqlClient } from '../database.js';

/** The Slack thread (channel and `ts`) of the ticket numbered `number`, or undefined. */
export async function slackThreadOfTicketNumber(
  sql: SqlClient,
  number: number,
): Promise<{ channel_id: string; thread_ts: string } | undefined> {
  const { rows } = await sql.query<{ channel_id: string; thread_ts: string }>(
    'select st.channel_id, st.thread_ts from slack_threads st join tickets t on t.id = st.ticket_id where t.number = $1',
    [number],
  );
  return rows[0];
}
