import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type HoursReport, hoursReportCsv } from '../../../src/core/billing/hours-report.js';
import { defaultTerms, priceTicket } from '../../../src/core/billing/pricing.js';

function reportWith(name: string, subject: string): HoursReport {
  const bill = priceTicket(
    [
      {
        id: '1',
        startedAt: new Date('2026-03-02T08:00:00Z'),
        localDate: '2026-03-02',
        kind: 'remote',
        minutes: 90,
        billable: true,
        outOfHoursMinutes: 0,
      },
    ],
    defaultTerms(3000),
    22,
  );
  const customer = {
    customerId: '1',
    name,
    tickets: [{ ticketNumber: 1000, subject, bill, billed: false }],
    netCents: 4500,
    vatCents: 990,
    totalCents: 5490,
    notYetBilled: { netCents: 4500, vatCents: 990, totalCents: 5490 },
  };
  return {
    month: '2026-03',
    vatPercent: 22,
    customers: [customer],
    netCents: 4500,
    vatCents: 990,
    totalCents: 5490,
  };
}

const rowsOf = (csv: string): string[][] =>
  parse(csv, { bom: true, delimiter: ';', relax_column_count: true });

describe('the hours CSV as Italian Excel opens it', () => {
  it('keeps quotes, semicolons and line breaks of a subject inside one cell', () => {
    const subject = 'Stampante "HP"; non stampa\nseconda riga 😀 <b>&amp;';
    const rows = rowsOf(hoursReportCsv(reportWith('Rossi; "Srl"', subject)));
    expect(rows[1]!.slice(0, 3)).toEqual(['Rossi; "Srl"', '1000', subject]);
    expect(rows[1]![9]).toBe('45,00');
  });

  it.each(['=HYPERLINK("http://x.test";"clicca")', '+39 333', '-1+1', '@SUM(A1)', '\tTAB', '\rCR'])(
    'a customer-written cell starting with %j is text for Excel, not a formula (OWASP CSV injection)',
    (text) => {
      const rows = rowsOf(hoursReportCsv(reportWith(text, text)));
      expect(rows[1]![0]).toBe(`'${text}`);
      expect(rows[1]![2]).toBe(`'${text}`);
      expect(rows.at(-1)![0]).toBe('Totale');
    },
  );

  it('says per line whether it is already invoiced (Fatturato sì/no) and shows the part still to invoice', () => {
    const report = reportWith('Rossi', 'Rete');
    const customer = report.customers[0]!;
    const open = customer.tickets[0]!;
    customer.tickets = [{ ...open, ticketNumber: 999, billed: true }, open];
    customer.netCents = 9000;
    const rows = rowsOf(hoursReportCsv(report));
    expect(rows[0]![12]).toBe('Fatturato');
    expect(rows.slice(1, 3).map((r) => [r[1], r[12]])).toEqual([
      ['999', 'sì'],
      ['1000', 'no'],
    ]);
    const toInvoice = rows.find((r) => r[1] === 'Da fatturare')!;
    expect([toInvoice[0], ...toInvoice.slice(9, 13)]).toEqual(['Rossi', '45,00', '9,90', '54,90', 'no']);
  });
});
