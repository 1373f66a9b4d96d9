/**
 * The staff reports' prices of work not invoiced yet (#25), per customer and month: the bills the
 * monthly report (#24) shows as not billed, added up. Customers whose terms allow it are priced
 * from per-ticket, per-month sums the database adds up (`pricedBySums`: most customers); the
 * others entry by entry, as the monthly report does. docs/performance.md, "The staff reports page".
 */
import type { Tx } from '../../db/database.js';
import { reportWorkSums } from '../../db/sql/report-work-sums.js';
import { type CustomerTerms, loadCustomersBilling, loadCustomersTerms } from '../billing/batch-billing.js';
import { pricedBySums, priceGroupSums } from '../billing/group-sums.js';
import { monthGroupOf } from '../billing/month-lines.js';
import type { TicketBill } from '../billing/pricing.js';
import type { CoreContext } from '../core-context.js';

/** Minutes and net cents added up over bills. */
export interface BillSums {
  rawMinutes: number;
  billedMinutes: number;
  netCents: number;
}

/** `customerId|YYYY-MM`. */
export const customerMonthKey = (customerId: bigint | string, month: string) => `${customerId}|${month}`;

function add(into: Map<string, BillSums>, key: string, bill: TicketBill): void {
  const sums = into.get(key) ?? { rawMinutes: 0, billedMinutes: 0, netCents: 0 };
  sums.rawMinutes += bill.rawMinutes;
  sums.billedMinutes += bill.billedMinutes;
  sums.netCents += bill.netCents;
  into.set(key, sums);
}

/**
 * Confirmed work not billed yet, started in `range` (the local months `fromMonth`…`toMonth` of
 * `timeZone`), every customer's, priced at today's terms and summed per {@link customerMonthKey}.
 * A customer and month with open work has an entry even when its price is zero.
 */
export async function openWorkSums(
  ctx: CoreContext,
  tx: Tx,
  input: {
    period: { fromMonth: string; toMonth: string };
    range: { from: Date; to: Date };
    timeZone: string;
  },
): Promise<Map<string, BillSums>> {
  const { period, range, timeZone } = input;
  // The open work's groups say which customers have any; only their terms are needed.
  const groups = await reportWorkSums(tx.sql, { ...range, timeZone });
  const result = new Map<string, BillSums>();
  if (groups.length === 0) return result;
  const terms = await loadCustomersTerms(ctx, tx, [...new Set(groups.map((g) => g.customerId))]);
  const itemised = new Map<string, CustomerTerms>();
  const summed = new Map<string, CustomerTerms>();
  for (const [id, t] of terms) {
    const bySums = pricedBySums(t.terms, t.packages, `${period.fromMonth}-01`, `${period.toMonth}-31`);
    (bySums ? summed : itemised).set(id, t);
  }
  for (const group of groups) {
    const key = customerMonthKey(group.customerId, group.month);
    if (!result.has(key)) result.set(key, { rawMinutes: 0, billedMinutes: 0, netCents: 0 });
    const t = summed.get(group.customerId.toString());
    if (t) add(result, key, priceGroupSums(group, t.terms, ctx.settings.vatPercent));
  }
  for (const [customerId, priced] of await loadCustomersBilling(ctx, tx, itemised, range)) {
    // Groups are `ticket|month|billed or open` (monthGroupOf): the open ones of the period count.
    for (const [group, bill] of priced.price(monthGroupOf(timeZone)).bills) {
      const [, month = '', state] = group.split('|');
      if (state === 'open' && month >= period.fromMonth && month <= period.toMonth)
        add(result, customerMonthKey(customerId, month), bill);
    }
  }
  return result;
}
