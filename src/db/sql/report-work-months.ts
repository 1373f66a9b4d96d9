import type { SqlClient } from '../database.js';

export interface WorkMonthRow {
  customerId: bigint;
  name: string;
  /** `YYYY-MM` in the business time zone. */
  month: string;
}

/**
 * Customers with confirmed work (time entries) started in [from, to), once per local month: the
 * customers and months the staff reports page prices (#25), as the monthly report (#24) picks them.
 */
export async function reportWorkMonths(
  sql: SqlClient,
  range: { from: Date; to: Date; timeZone: string },
): Promise<WorkMonthRow[]> {
  const { rows } = await sql.query<{ customer_id: string; name: string; month: string }>(
    `select t.customer_id::text as customer_id, c.name,
            to_char(te.started_at at time zone $3, 'YYYY-MM') as month
       from time_entries te
       join tickets t on t.id = te.ticket_id
       join customers c on c.id = t.customer_id
      where te.status = 'confirmed' and te.started_at >= $1 and te.started_at < $2
      group by t.customer_id, c.name, month
      order by c.name, t.customer_id, month`,
    [range.from, range.to, range.timeZone],
  );
  return rows.map((r) => ({ customerId: BigInt(r.customer_id), name: r.name, month: r.month }));
}
