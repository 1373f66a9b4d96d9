/**
 * The staff reports (issue #25, item 4): hours and revenue per customer per month, first-contact
 * deadlines met and missed per week (T2), tickets per channel, the backlog by status. Amounts are
 * the monthly hours report's (#24, T6): the same pricing and the same per-month lines, integer cents.
 */
import { and, gte, lte } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { billingExports } from '../../db/schema.js';
import { reportBacklogByStatus } from '../../db/sql/report-backlog-by-status.js';
import {
  type FirstContactWeekRow,
  reportFirstContactWeeks,
} from '../../db/sql/report-first-contact-weeks.js';
import { reportTicketsPerChannel } from '../../db/sql/report-tickets-per-channel.js';
import { reportWorkMonths } from '../../db/sql/report-work-months.js';
import { reportWorkSums } from '../../db/sql/report-work-sums.js';
import { reportWorkedTickets } from '../../db/sql/report-worked-tickets.js';
import { type CustomerTerms, loadCustomersBilling, loadCustomersTerms } from '../billing/batch-billing.js';
import { pricedBySums, priceGroupSums } from '../billing/group-sums.js';
import { monthGroupOf, reportCustomer } from '../billing/month-lines.js';
import type { TicketBill } from '../billing/pricing.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../business-calendar.js';
import type { CoreContext } from '../core-context.js';
import { OPEN_STATUSES, type TicketStatus } from '../lifecycle.js';
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
 * Hours and revenue per customer per month of the period (customers with confirmed work). Work not
 * invoiced yet is priced from per-ticket, per-month sums the database adds up for customers whose
 * terms allow it (`pricedBySums`: most customers), entry by entry for the others; invoiced work
 * from the lines its export stored. docs/performance.md, "The staff reports page".
 */
export async function revenueReport(
  ctx: CoreContext,
  tx: Tx,
  period: Pick<ReportPeriod, 'fromMonth' | 'toMonth'>,
): Promise<RevenueReport> {
  const timeZone = (ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone;
  const months = monthsBetween(period.fromMonth, period.toMonth);
  const range = monthsRange(period.fromMonth, period.toMonth, timeZone);
  const work = await reportWorkMonths(tx.sql, { ...range, timeZone });
  const worked = await reportWorkedTickets(tx.sql, range);
  const exported = await tx.db
    .select({ month: billingExports.month, lines: billingExports.lines })
    .from(billingExports)
    .where(and(gte(billingExports.month, period.fromMonth), lte(billingExports.month, period.toMonth)));
  const linesOf = new Map(
    months.map((m) => [m, exported.filter((x) => x.month === m).flatMap((x) => x.lines)]),
  );
  const terms = await loadCustomersTerms(ctx, tx, [...new Set(work.map((w) => w.customerId))]);
  const [fromDate, toDate] = [`${period.fromMonth}-01`, `${period.toMonth}-31`];
  const summed = new Map<string, CustomerTerms>();
  const itemised = new Map<string, CustomerTerms>();
  for (const [id, t] of terms)
    (pricedBySums(t.terms, t.packages, fromDate, toDate) ? summed : itemised).set(id, t);
  const billsOf = new Map<string, Map<string, TicketBill>>();
  const sums = await reportWorkSums(tx.sql, {
    ...range,
    timeZone,
    customerIds: [...summed.keys()].map(BigInt),
  });
  for (const sum of sums) {
    const key = sum.customerId.toString();
    const bills = billsOf.get(key) ?? new Map<string, TicketBill>();
    billsOf.set(key, bills);
    // The key of the group in `monthGroupOf`: the ticket's work of the month not billed yet.
    const bill = priceGroupSums(sum, summed.get(key)!.terms, ctx.settings.vatPercent);
    bills.set(`${sum.ticketId}|${sum.month}|open`, bill);
  }
  for (const [key, priced] of await loadCustomersBilling(ctx, tx, itemised, range))
    billsOf.set(key, priced.price(monthGroupOf(timeZone)).bills);
  const ticketsOf = new Map<bigint, typeof worked>();
  for (const t of worked) {
    const list = ticketsOf.get(t.customerId);
    if (list) list.push(t);
    else ticketsOf.set(t.customerId, [t]);
  }
  const rows: RevenueRow[] = [];
  for (const w of work) {
    const key = w.customerId.toString();
    const bills = billsOf.get(key) ?? new Map<string, TicketBill>();
    const ticketRows = ticketsOf.get(w.customerId) ?? [];
    const c = reportCustomer(ctx, { ...w, bills, ticketRows, exportedLines: linesOf.get(w.month) ?? [] });
    rows.push({
      customerId: key,
      name: w.name,
      month: w.month,
      workedMinutes: c.tickets.reduce((a, t) => a + t.bill.rawMinutes, 0),
      billedMinutes: c.tickets.reduce((a, t) => a + t.bill.billedMinutes, 0),
      netCents: c.netCents,
      totalCents: c.totalCents,
    });
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
