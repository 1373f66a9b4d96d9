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
 * the monthly report adds up for invoiced work. Read from `billing_export_sums` (each export's
 * lines summed per customer by a trigger as the export is written): one row per customer and
 * export, not every line's JSON.
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
    `select customer_id::text as customer_id, month,
            sum(raw_minutes)::text as raw_minutes,
            sum(billed_minutes)::text as billed_minutes,
            sum(net_cents)::text as net_cents
       from billing_export_sums
      where month >= $1 and month <= $2
      group by customer_id, month`,
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
