/**
 * The monthly hours report (issue #24): per customer, their tickets' time in the month with the
 * price, the customer's net, VAT (once, on the customer's net) and total; as JSON or as CSV for
 * Italian Excel. Exporting for invoicing marks the month's entries billed, which locks them.
 */
import { and, asc, eq, gte, inArray, isNull, lt } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { billingExports, customers, type ExportedBillLine, tickets, timeEntries } from '../../db/schema.js';
import { DEFAULT_BUSINESS_CALENDAR, zonedTimeToInstant } from '../business-calendar.js';
import type { CoreContext } from '../core-context.js';
import { excelCsv, textCell } from '../csv.js';
import { loadCustomerBilling } from './billing-store.js';
import { centsToDecimalComma } from './money.js';
import { monthGroupOf, reportCustomer } from './month-lines.js';
import type { TicketBill } from './pricing.js';

export interface ReportTicket {
  ticketNumber: number;
  subject: string;
  bill: TicketBill;
  /**
   * Billed: the line as an export invoiced it (stored, never re-priced). Not billed: the
   * ticket's confirmed work of the month not exported yet (a late entry), at today's terms.
   */
  billed: boolean;
}

export interface ReportCustomer {
  customerId: string;
  name: string;
  tickets: ReportTicket[];
  netCents: number;
  vatCents: number;
  totalCents: number;
  /** The work not exported yet (net, VAT on it, total), or null when all of it is billed. */
  notYetBilled: { netCents: number; vatCents: number; totalCents: number } | null;
}

export interface HoursReport {
  month: string;
  vatPercent: number;
  customers: ReportCustomer[];
  netCents: number;
  vatCents: number;
  totalCents: number;
}

/** `YYYY-MM` → the instants of its first and of the next month's first local midnight. */
export function monthRange(month: string, timeZone: string): { from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return {
    from: zonedTimeToInstant(`${month}-01`, '00:00', timeZone),
    to: zonedTimeToInstant(`${next}-01`, '00:00', timeZone),
  };
}

/**
 * The report of `month` (`YYYY-MM`, business time zone), for one customer or all. A ticket with
 * work in two months is priced once per month (its rounding and minimum apply to each month's
 * part); prepaid hours are allocated over all of the customer's work in time order.
 */
export async function hoursReport(
  ctx: CoreContext,
  tx: Tx,
  month: string,
  customerId?: bigint,
): Promise<HoursReport> {
  const tz = (ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone;
  const { from, to } = monthRange(month, tz);
  const rows = await tx.db
    .selectDistinct({ customerId: tickets.customerId, name: customers.name })
    .from(timeEntries)
    .innerJoin(tickets, eq(tickets.id, timeEntries.ticketId))
    .innerJoin(customers, eq(customers.id, tickets.customerId))
    .where(
      and(
        gte(timeEntries.startedAt, from),
        lt(timeEntries.startedAt, to),
        eq(timeEntries.status, 'confirmed'),
        customerId === undefined ? undefined : eq(tickets.customerId, customerId),
      ),
    )
    .orderBy(asc(customers.name), asc(tickets.customerId));
  const exported = await tx.db
    .select({ lines: billingExports.lines })
    .from(billingExports)
    .where(eq(billingExports.month, month))
    .orderBy(asc(billingExports.id));
  const result: ReportCustomer[] = [];
  const lines = exported.flatMap((x) => x.lines);
  for (const row of rows) {
    const billing = await loadCustomerBilling(ctx, tx, row.customerId);
    const { bills } = billing.price(monthGroupOf(tz));
    const ticketRows = await tx.db
      .select({ id: tickets.id, number: tickets.number, subject: tickets.subject })
      .from(tickets)
      .where(eq(tickets.customerId, row.customerId))
      .orderBy(asc(tickets.number));
    result.push(reportCustomer(ctx, { ...row, month, bills, ticketRows, exportedLines: lines }));
  }
  const sum = (pick: (c: ReportCustomer) => number) => result.reduce((a, c) => a + pick(c), 0);
  return {
    month,
    vatPercent: ctx.settings.vatPercent,
    customers: result,
    netCents: sum((c) => c.netCents),
    vatCents: sum((c) => c.vatCents),
    totalCents: sum((c) => c.totalCents),
  };
}

/**
 * Marks the month's confirmed, not yet billed entries billed (for one customer or all) under one
 * export record that stores their priced lines (what the report shows for them from then on); from then on the database refuses to change them. Returns the export id and the
 * number of entries it billed.
 */
export async function exportForInvoicing(
  ctx: CoreContext,
  tx: Tx,
  input: { month: string; customerId?: bigint; actor: string },
): Promise<{ exportId: string; entries: number }> {
  const tz = (ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone;
  const { from, to } = monthRange(input.month, tz);
  // The lines it bills, priced now and stored with the export: the same set as the update below.
  const report = await hoursReport(ctx, tx, input.month, input.customerId);
  const lines: ExportedBillLine[] = report.customers.flatMap((c) =>
    c.tickets
      .filter((t) => !t.billed)
      .map((t) => ({ customerId: c.customerId, ticketNumber: t.ticketNumber, bill: t.bill })),
  );
  const [record] = await tx.db
    .insert(billingExports)
    .values({
      month: input.month,
      customerId: input.customerId,
      actor: input.actor,
      lines,
      createdAt: ctx.now(),
    })
    .returning({ id: billingExports.id });
  const ticketFilter =
    input.customerId === undefined
      ? undefined
      : inArray(
          timeEntries.ticketId,
          tx.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.customerId, input.customerId)),
        );
  const billed = await tx.db
    .update(timeEntries)
    .set({ billedAt: ctx.now(), billingExportId: record!.id })
    .where(
      and(
        gte(timeEntries.startedAt, from),
        lt(timeEntries.startedAt, to),
        eq(timeEntries.status, 'confirmed'),
        isNull(timeEntries.billedAt),
        ticketFilter,
      ),
    )
    .returning({ id: timeEntries.id });
  return { exportId: record!.id.toString(), entries: billed.length };
}

export const CSV_HEADER = [
  'Cliente',
  'Ticket',
  'Oggetto',
  'Minuti lavorati',
  'Minuti fatturati',
  'Minuti prepagati',
  'Minuti addebitati',
  'Tariffa oraria',
  'Maggiorazione',
  'Imponibile',
  'IVA',
  'Totale',
  'Fatturato',
] as const;

/** A totals row: its first two cells, the amounts (cents) in the net, VAT and total columns, and the billed cell. */
function totalRow(
  first: string,
  second: string,
  amounts: { netCents: number; vatCents: number; totalCents: number },
  billed: string,
): string[] {
  const blanks = CSV_HEADER.length - 6;
  return [
    first,
    second,
    ...Array<string>(blanks).fill(''),
    centsToDecimalComma(amounts.netCents),
    centsToDecimalComma(amounts.vatCents),
    centsToDecimalComma(amounts.totalCents),
    billed,
  ];
}

/**
 * The report as CSV for Italian Excel: UTF-8 with a BOM, `;` between fields, decimal comma, CRLF.
 * One row per ticket (its net; `Fatturato` says `sì` when an export already invoiced the line,
 * `no` when not), then one `Totale cliente` row per customer with net, VAT and total, followed by a
 * `Da fatturare` row (the not yet invoiced part: net, VAT on it, total) when there is one, then the
 * grand total. Minutes are whole numbers; amounts are euros with two decimals.
 */
export function hoursReportCsv(report: HoursReport): string {
  const eur = centsToDecimalComma;
  const lines: string[][] = [[...CSV_HEADER]];
  for (const c of report.customers) {
    for (const t of c.tickets) {
      const b = t.bill;
      lines.push([
        textCell(c.name),
        String(t.ticketNumber),
        textCell(t.subject),
        String(b.rawMinutes),
        String(b.billedMinutes),
        String(b.prepaidMinutes),
        String(b.chargeableMinutes),
        eur(b.hourlyRateCents),
        eur(b.surchargeCents),
        eur(b.netCents),
        '',
        '',
        t.billed ? 'sì' : 'no',
      ]);
    }
    lines.push(totalRow(textCell(c.name), 'Totale cliente', c, ''));
    if (c.notYetBilled) lines.push(totalRow(textCell(c.name), 'Da fatturare', c.notYetBilled, 'no'));
  }
  lines.push(totalRow('Totale', '', report, ''));
  return excelCsv(lines);
}
