import type { SqlClient } from '../database.js';

export interface InvoicedSumRow {
  customerId: string;
  /** `YYYY-MM`, the exported month. */
  month: string;
  /** Sums over the customer's lines of the month's exports: their bills as stored. */
  rawMinutes: number;
  billedMinutes: number;
  netCents: number;
}

/**
 * The lines that exports for invoicing stored for the months `fromMonth`…`toMonth`, summed per
 * customer and month (#25). Stored lines are never priced again, so their sums are the figures
 * the monthly report adds up for invoiced work, without sending every line's JSON here.
 */
export async function reportInvoicedSums(
  sql: SqlClient,
  period: { fromMonth: string; toMonth: string },
): Promise<InvoicedSumRow[]> {
  const { rows } = await sql.query<{
    customer_id: string;
    month: string;
    raw_minutes: string;
    billed_minutes: string;
    net_cents: string;
  }>(
    `select l.line->>'customerId' as customer_id, e.month,
            sum((l.line->'bill'->>'rawMinutes')::bigint)::text as raw_minutes,
            sum((l.line->'bill'->>'billedMinutes')::bigint)::text as billed_minutes,
            sum((l.line->'bill'->>'netCents')::bigint)::text as net_cents
       from billing_exports e
      cross join lateral jsonb_array_elements(e.lines) as l(line)
      where e.month >= $1 and e.month <= $2
      group by l.line->>'customerId', e.month`,
    [period.fromMonth, period.toMonth],
  );
  return rows.map((r) => ({
    customerId: r.customer_id,
    month: r.month,
    rawMinutes: Number(r.raw_minutes),
    billedMinutes: Number(r.billed_minutes),
    netCents: Number(r.net_cents),
  }));
}
