/**
 * The staff reports (issue #25, item 4): hours and revenue per customer per month, first-contact
 * deadlines met and missed per week (T2), tickets per channel, the backlog by status. Amounts are
 * the monthly hours report's (#24, T6): the same pricing and the same stored lines, integer cents
 * (test/core/reports-revenue.test.ts compares them customer by customer).
 */
import type { Tx } from '../../db/database.js';
import { reportBacklogByStatus } from '../../db/sql/report-backlog-by-status.js';
import { reportCustomerNames } from '../../db/sql/report-customer-names.js';
import {
  type FirstContactWeekRow,
  reportFirstContactWeeks,
} from '../../db/sql/report-first-contact-weeks.js';
import { reportInvoicedSums } from '../../db/sql/report-invoiced-sums.js';
import { reportTicketsPerChannel } from '../../db/sql/report-tickets-per-channel.js';
import { withVat } from '../billing/pricing.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../business-calendar.js';
import type { CoreContext } from '../core-context.js';
import { OPEN_STATUSES, type TicketStatus } from '../lifecycle.js';
import { type BillSums, customerMonthKey, openWorkSums } from './open-work.js';
import { mondaysBetween, monthsBetween, monthsRange, type ReportPeriod, weeksRange } from './periods.js';

export interface RevenueRow {
  customerId: string;
  name: string;
  month: string;
  /** Minutes worked (confirmed entries, billable or not). */
  workedMinutes: number;
  /** Minutes billed after rounding and minimum, prepaid ones included. */
  billedMinutes: number;
  /** Net (VAT excluded), as the month's statement shows it. */
  netCents: number;
  totalCents: number;
}

export interface RevenueReport {
  months: string[];
  rows: RevenueRow[];
  /** Per month of `months`: the sums over customers. */
  perMonth: Array<{ month: string; workedMinutes: number; netCents: number; totalCents: number }>;
}

/**
 * Hours and revenue per customer per month of the period (customers with confirmed work): the
 * monthly report's figures (#24) for each month: invoiced work as its export stored it, work not
 * invoiced yet priced now ({@link openWorkSums}), VAT once on the customer's net of the month.
 * A customer's month is listed when it has either: confirmed work is billed by an export of its
 * month (a line each ticket; billed entries cannot change) or not billed yet, so these are the
 * customers and months with confirmed work, as the monthly report picks them.
 */
export async function revenueReport(
  ctx: CoreContext,
  tx: Tx,
  period: Pick<ReportPeriod, 'fromMonth' | 'toMonth'>,
): Promise<RevenueReport> {
  const timeZone = (ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone;
  const months = monthsBetween(period.fromMonth, period.toMonth);
  const range = monthsRange(period.fromMonth, period.toMonth, timeZone);
  const invoiced = new Map(
    (await reportInvoicedSums(tx.sql, period)).map((r) => [customerMonthKey(r.customerId, r.month), r]),
  );
  const open = await openWorkSums(ctx, tx, { period, range, timeZone });
  const monthsOf = new Map<string, Set<string>>();
  for (const key of [...invoiced.keys(), ...open.keys()]) {
    const [customerId = '', month = ''] = key.split('|');
    const set = monthsOf.get(customerId) ?? new Set<string>();
    monthsOf.set(customerId, set.add(month));
  }
  const none: BillSums = { rawMinutes: 0, billedMinutes: 0, netCents: 0 };
  const rows: RevenueRow[] = [];
  for (const { customerId, name } of await reportCustomerNames(tx.sql, [...monthsOf.keys()])) {
    for (const month of [...(monthsOf.get(customerId) ?? [])].sort()) {
      const key = customerMonthKey(customerId, month);
      const [a, b] = [invoiced.get(key) ?? none, open.get(key) ?? none];
      const netCents = a.netCents + b.netCents;
      rows.push({
        customerId,
        name,
        month,
        workedMinutes: a.rawMinutes + b.rawMinutes,
        billedMinutes: a.billedMinutes + b.billedMinutes,
        netCents,
        totalCents: withVat(netCents, ctx.settings.vatPercent).totalCents,
      });
    }
  }
  const perMonth = months.map((month) => {
    const of = rows.filter((r) => r.month === month);
    const sum = (pick: (r: RevenueRow) => number) => of.reduce((a, r) => a + pick(r), 0);
    return {
      month,
      workedMinutes: sum((r) => r.workedMinutes),
      netCents: sum((r) => r.netCents),
      totalCents: sum((r) => r.totalCents),
    };
  });
  return { months, rows, perMonth };
}

/** First-contact deadlines per week of the period, every week listed (zeros where none fell). */
export async function firstContactReport(
  ctx: CoreContext,
  tx: Tx,
  period: Pick<ReportPeriod, 'fromWeek' | 'toWeek'>,
): Promise<FirstContactWeekRow[]> {
  const timeZone = (ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone;
  const range = weeksRange(period.fromWeek, period.toWeek, timeZone);
  const rows = await reportFirstContactWeeks(tx.sql, { ...range, timeZone, now: ctx.now() });
  const byWeek = new Map(rows.map((r) => [r.week, r]));
  return mondaysBetween(period.fromWeek, period.toWeek).map(
    (week) => byWeek.get(week) ?? { week, met: 0, missed: 0, pending: 0 },
  );
}

/** Tickets opened in the period's months, per channel. */
export async function channelReport(
  ctx: CoreContext,
  tx: Tx,
  period: Pick<ReportPeriod, 'fromMonth' | 'toMonth'>,
): Promise<Array<{ channel: string; tickets: number }>> {
  const timeZone = (ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone;
  return reportTicketsPerChannel(tx.sql, monthsRange(period.fromMonth, period.toMonth, timeZone));
}

/** Open tickets now, per status (lifecycle order). */
export async function backlogReport(tx: Tx): Promise<Array<{ status: TicketStatus; tickets: number }>> {
  return reportBacklogByStatus(tx.sql, OPEN_STATUSES);
}
