/**
 * One customer's lines of one month, as the monthly hours report (#24) shows them. The staff
 * reports page (#25) adds up the same bills and stored lines without listing them
 * (src/core/reports/open-work.ts); test/core/reports-revenue.test.ts checks the cents agree.
 */
import type { ExportedBillLine } from '../../db/schema.js';
import { instantToZoned } from '../business-calendar.js';
import type { CoreContext } from '../core-context.js';
import type { ReportCustomer, ReportTicket } from './hours-report.js';
import { type TicketBill, withVat } from './pricing.js';
import type { TimeEntryRow } from './time-entries.js';

/**
 * The pricing group of an entry in the monthly report: its ticket, its local month and whether it
 * is billed (billed and not yet billed work of a ticket are priced apart: only the latter now).
 */
export function monthGroupOf(timeZone: string): (e: TimeEntryRow) => string {
  return (e) =>
    `${e.ticketId}|${instantToZoned(e.startedAt, timeZone).date.slice(0, 7)}|${e.billedAt ? 'billed' : 'open'}`;
}

/**
 * One customer's part of the report of `month`: the lines exports invoiced (stored, never
 * re-priced) plus the ticket's confirmed work not exported yet, priced by `bills` (the customer's
 * prices grouped by {@link monthGroupOf}). The monthly report's, so its export's and statements'.
 */
export function reportCustomer(
  ctx: CoreContext,
  input: {
    customerId: bigint;
    name: string;
    month: string;
    bills: Map<string, TicketBill>;
    /** The customer's tickets (at least those with work), by number. */
    ticketRows: ReadonlyArray<{ id: bigint; number: number; subject: string }>;
    /** The lines of the month's exports (any customer's: filtered here). */
    exportedLines: readonly ExportedBillLine[];
  },
): ReportCustomer {
  const subjectOf = new Map(input.ticketRows.map((t) => [t.number, t.subject]));
  const id = input.customerId.toString();
  const list: ReportTicket[] = input.exportedLines
    .filter((l) => l.customerId === id)
    .map((l) => ({
      ticketNumber: l.ticketNumber,
      subject: subjectOf.get(l.ticketNumber) ?? '',
      bill: l.bill,
      billed: true,
    }));
  for (const t of input.ticketRows) {
    const bill = input.bills.get(`${t.id}|${input.month}|open`);
    if (bill) list.push({ ticketNumber: t.number, subject: t.subject, bill, billed: false });
  }
  const netCents = list.reduce((a, t) => a + t.bill.netCents, 0);
  const openNet = list.filter((t) => !t.billed).reduce((a, t) => a + t.bill.netCents, 0);
  return {
    customerId: id,
    name: input.name,
    tickets: list,
    netCents,
    ...withVat(netCents, ctx.settings.vatPercent),
    notYetBilled: list.some((t) => !t.billed)
      ? { netCents: openNet, ...withVat(openNet, ctx.settings.vatPercent) }
      : null,
  };
}
