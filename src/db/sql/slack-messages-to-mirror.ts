import type { SqlClient } from '../database.js';

/** A customer message not yet posted in its ticket's Slack thread. */
export interface SlackMessageToMirrorRow {
  id: string;
  channel: string;
  sender_name: string | null;
  sender_address: string | null;
  new_text: string;
  disposition: string;
  edit_of: string | null;
  channel_id: string;
  thread_ts: string;
}

// Closed tickets get no messages (a message on one opens a new ticket): only open threads are read.
// A Slack customer's message carries only the member id (U…): the thread shows the customer's name.
const MESSAGES_SQL = `select m.id::text as id, m.ticket_id::text as ticket_id, m.channel,
    case when m.channel = 'slack' then coalesce(m.sender_name, c.name) else m.sender_name end as sender_name,
    m.sender_address, m.new_text, m.disposition, m.edit_of_message_id::text as edit_of, st.channel_id, st.thread_ts
  from slack_threads st join tickets t on t.id = st.ticket_id and t.status <> 'closed'
  join messages m on m.ticket_id = st.ticket_id
  left join customers c on c.id = m.customer_id
  left join slack_posts sp on sp.message_id = m.id
  where sp.message_id is null and m.direction = 'inbound' and m.disposition in ('ticket', 'edit')
  order by m.id limit 20`;

/** Up to 20 inbound messages (and edits) of tickets with a thread, oldest first, not posted yet. */
export async function slackMessagesToMirror(sql: SqlClient): Promise<SlackMessageToMirrorRow[]> {
  const { rows } = await sql.query<SlackMessageToMirrorRow>(MESSAGES_SQL);
  return rows;
}
