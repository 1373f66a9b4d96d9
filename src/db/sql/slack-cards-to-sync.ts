import type { SqlClient } from '../database.js';

/** A ticket whose Slack card is missing or shows an old state, with what the card shows. */
export interface SlackCardRow {
  id: string;
  number: number;
  subject: string;
  status: string;
  origin_channel: string;
  assignee: string | null;
  first_contact_due_at: Date | string | null;
  first_contact_at: Date | string | null;
  name: string;
  customer_status: string;
  hourly_rate_cents: number | null;
  quick_access: boolean;
  thread_ts: string | null;
  channel_id: string | null;
  /** The card's state now: store it once the card shows it. */
  state: string;
  first_message_id: string | null;
}

// The card's state, computed by the store so that any change of what the card shows is seen. It
// starts with the status: a closed ticket whose card already says so is never looked at again.
const STATE_SQL = `md5(concat_ws('|', coalesce(t.assignee, '-'), coalesce(t.first_contact_due_at::text, '-'),
  coalesce(t.first_contact_at::text, '-'), c.name, c.status, coalesce(c.hourly_rate_cents::text, '-'),
  c.quick_access::text)) || ':' || t.status`;

const CARDS_SQL = `select t.id::text as id, t.number, t.subject, t.status, t.origin_channel, t.assignee,
    t.first_contact_due_at, t.first_contact_at, c.name, c.status as customer_status, c.hourly_rate_cents,
    c.quick_access, st.thread_ts, st.channel_id, ${STATE_SQL} as state,
    (select m.id::text from messages m where m.ticket_id = t.id and m.direction = 'inbound'
       order by m.id limit 1) as first_message_id
  from tickets t join customers c on c.id = t.customer_id
  left join slack_threads st on st.ticket_id = t.id
  where (st.ticket_id is null and t.status not in ('resolved', 'closed'))
     or (st.ticket_id is not null and (t.status <> 'closed' or st.card_state not like '%:closed')
         and st.card_state <> ${STATE_SQL})
  order by t.id limit 20`;

/** Up to 20 tickets, oldest first, whose card must be posted (open, none yet) or updated. */
export async function slackCardsToSync(sql: SqlClient): Promise<SlackCardRow[]> {
  const { rows } = await sql.query<SlackCardRow>(CARDS_SQL);
  return rows;
}
