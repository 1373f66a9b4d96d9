import type { SqlClient } from '../database.js';

/** Up to 50 `queued` Slack relays whose delivery is `sent` or `failed`, oldest first. */
export async function settledSlackRelays(
  sql: SqlClient,
): Promise<Array<{ id: string; status: string; last_error: string | null }>> {
  const { rows } = await sql.query<{ id: string; status: string; last_error: string | null }>(
    `select r.id::text, d.status, d.last_error from slack_relays r join deliveries d on d.id = r.delivery_id
     where r.status = 'queued' and d.status in ('sent', 'failed') order by r.id limit 50`,
  );
  return rows;
}
