import type { SqlClient } from '../database.js';

/** A staff alert, with its ticket's Slack thread when it has one. */
export interface SlackAlertRow {
  id: string;
  kind: string;
  text: string;
  /** A Slack member to notify at once (consent, T5), from the alert's data. */
  mention: string | null;
  channel_id: string | null;
  thread_ts: string | null;
}

const ALERTS_SQL = `select a.id::text as id, a.kind, a.text, a.data->>'mention' as mention, st.channel_id, st.thread_ts from staff_alerts a
  left join slack_threads st on st.ticket_id = a.ticket_id
  where a.id > $1
    and not exists (select 1 from slack_relays r where r.delivery_id::text = a.data->>'deliveryId')
  order by a.id limit 20`;

/**
 * Up to 20 staff alerts after id `cursor`, oldest first; alerts about a relayed technician reply
 * are left out (its receipt in the thread tells it).
 */
export async function slackAlertsAfter(sql: SqlClient, cursor: string): Promise<SlackAlertRow[]> {
  const { rows } = await sql.query<SlackAlertRow>(ALERTS_SQL, [cursor]);
  return rows;
}
