import type { SqlClient } from '../database.js';

export interface WorkSumRow {
  customerId: bigint;
  ticketId: bigint;
  /** `YYYY-MM` in the business time zone. */
  month: string;
  /** Minutes of the group's entries, billable or not. */
  rawMinutes: number;
  /** Minutes of its billable entries. */
  billableMinutes: number;
}

/**
 * Confirmed work not billed yet, started in [from, to), summed per ticket and local month, every
 * customer's (#25): the monthly report's pricing groups (`monthGroupOf`, `open`) as sums. Priced
 * from the sums for customers whose bills depend on nothing else (`pricedBySums`); for the others
 * they only say which customers and months have open work. Reads the partial index
 * `time_entries_open`: the entries not billed, not every entry of the period.
 */
export async function reportWorkSums(
  sql: SqlClient,
  range: { from: Date; to: Date; timeZone: string },
): Promise<WorkSumRow[]> {
  const { rows } = await sql.query<{
    customer_id: string;
    ticket_id: string;
    month: string;
    raw_minutes: number;
    billable_minutes: number;
  }>(
    `select t.customer_id::text as customer_id, te.ticket_id::text as ticket_id,
            to_char(te.started_at at time zone $3, 'YYYY-MM') as month,
            coalesce(sum(te.minutes), 0)::int as raw_minutes,
            coalesce(sum(te.minutes) filter (where te.billable), 0)::int as billable_minutes
       from time_entries te
       join tickets t on t.id = te.ticket_id
      where te.status = 'confirmed' and te.billed_at is null
        and te.started_at >= $1 and te.started_at < $2
      group by t.customer_id, te.ticket_id, month`,
    [range.from, range.to, range.timeZone],
  );
  return rows.map((r) => ({
    customerId: BigInt(r.customer_id),
    ticketId: BigInt(r.ticket_id),
    month: r.month,
    rawMinutes: r.raw_minutes,
    billableMinutes: r.billable_minutes,
  }));
}
