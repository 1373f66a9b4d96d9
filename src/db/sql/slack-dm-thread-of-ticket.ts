import type { SqlClient } from '../database.js';

/**
 * The external id (`channel:ts`) of the first Slack message from `channel` on ticket `number`:
 * the DM thread the ticket lives in. Undefined when there is none.
 */
export async function slackDmThreadOfTicket(
  sql: SqlClient,
  params: { ticketNumber: number; channel: string },
): Promise<string | undefined> {
  const { rows } = await sql.query<{ external_id: string }>(
    `select m.external_id from messages m join tickets t on t.id = m.ticket_id
     where t.number = $1 and m.channel = 'slack' and m.direction = 'inbound' and m.external_id like $2
     order by m.id limit 1`,
    [params.ticketNumber, `${params.channel}:%`],
  );
  return rows[0]?.external_id;
}
