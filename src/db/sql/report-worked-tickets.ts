import type { SqlClient } from '../database.js';

/** Tickets with confirmed work started in [from, to): number and subject by ticket id (#25 reports). */
export async function reportWorkedTickets(
  sql: SqlClient,
  range: { from: Date; to: Date },
): Promise<Array<{ id: bigint; customerId: bigint; number: number; subject: string }>> {
  const { rows } = await sql.query<{ id: string; customer_id: string; number: number; subject: string }>(
    `select t.id::text as id, t.customer_id::text as customer_id, t.number, t.subject
       from tickets t
      where t.id in (select te.ticket_id from time_entries te
                      where te.status = 'confirmed' and te.started_at >= $1 and te.started_at < $2)
      order by t.number`,
    [range.from, range.to],
  );
  return rows.map((r) => ({
    id: BigInt(r.id),
    customerId: BigInt(r.customer_id),
    number: r.number,
    subject: r.subject,
  }));
}
