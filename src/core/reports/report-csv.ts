/**
 * The staff reports (#25) as CSV for Italian Excel: Italian headers, `;`, decimal comma, UTF-8
 * BOM, CRLF (the helper the monthly hours CSV uses). Amounts in euros with two decimals, hours with
 * two decimals (minutes / 60, half-up).
 */
import type { FirstContactWeekRow } from '../../db/sql/report-first-contact-weeks.js';
import { TICKET_STATUS_NAMES } from '../../templates/ticket-statuses.js';
import { centsToDecimalComma, divideHalfUp } from '../billing/money.js';
import { excelCsv, textCell } from '../csv.js';
import type { TicketStatus } from '../lifecycle.js';
import type { RevenueReport } from './reports.js';

/** Minutes as hours with a decimal comma (`90` → `1,50`). */
export function hoursDecimalComma(minutes: number): string {
  return centsToDecimalComma(divideHalfUp(minutes * 100, 60));
}

export function revenueCsv(report: RevenueReport): string {
  return excelCsv([
    ['Cliente', 'Mese', 'Ore lavorate', 'Ore fatturate', 'Imponibile', 'Totale IVA inclusa'],
    ...report.rows.map((r) => [
      textCell(r.name),
      r.month,
      hoursDecimalComma(r.workedMinutes),
      hoursDecimalComma(r.billedMinutes),
      centsToDecimalComma(r.netCents),
      centsToDecimalComma(r.totalCents),
    ]),
    ...report.perMonth.map((m) => [
      'Totale',
      m.month,
      hoursDecimalComma(m.workedMinutes),
      '',
      centsToDecimalComma(m.netCents),
      centsToDecimalComma(m.totalCents),
    ]),
  ]);
}

export function firstContactCsv(weeks: readonly FirstContactWeekRow[]): string {
  return excelCsv([
    ['Settimana dal', 'Rispettati', 'Mancati', 'In corso'],
    ...weeks.map((w) => [w.week, w.met, w.missed, w.pending]),
  ]);
}

export function channelsCsv(rows: ReadonlyArray<{ channel: string; tickets: number }>): string {
  return excelCsv([['Canale', 'Ticket'], ...rows.map((r) => [textCell(r.channel), r.tickets])]);
}

export function backlogCsv(rows: ReadonlyArray<{ status: TicketStatus; tickets: number }>): string {
  return excelCsv([['Stato', 'Ticket'], ...rows.map((r) => [TICKET_STATUS_NAMES.it[r.status], r.tickets])]);
}
