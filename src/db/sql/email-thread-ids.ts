import type { SqlClient } from '../database.js';

export interface EmailThreadIdRow {
  external_id: string;
  /** 0: the customer's inbound mail; 1: our delivery. */
  outbound: number;
}

const EMAIL_THREAD_SQL = `select external_id, 0 as outbound, id as position from messages
    where ticket_id = $1 and channel = 'email' and direction = 'inbound' and external_id is not null
  union all
  select d.external_id, 1, d.message_id from deliveries d join messages m on m.id = d.message_id
    where m.ticket_id = $1 and d.channel = 'email' and d.external_id is not null
  order by position, outbound`;

/** The ticket's email Message-IDs, inbound and ours, oldest message first. */
export async function emailThreadIds(sql: SqlClient, ticketId: bigint): Promise<EmailThreadIdRow[]> {
  const { rows } = await sql.query<EmailThreadIdRow>(EMAIL_THREAD_SQL, [ticketId.toString()]);
  return rows;
}
