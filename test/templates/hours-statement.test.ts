import { describe, expect, it } from 'vitest';
import { defaultTerms, priceTicket } from '../../src/core/billing/pricing.js';
import { hoursStatement } from '../../src/templates/hours-statement.js';

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

describe('the monthly statement in English', () => {
  it('shows the invoiced part and the part still to invoice', () => {
    const { text } = hoursStatement(
      {
        month: '2026-03',
        vatPercent: 22,
        companyName: 'Acme',
        customer: {
          customerId: '1',
          name: 'Smith',
          tickets: [
            { ticketNumber: 7, subject: 'Printer', bill, billed: true },
            { ticketNumber: 8, subject: 'Mail', bill, billed: false },
          ],
          netCents: 9000,
          vatCents: 1980,
          totalCents: 10980,
          notYetBilled: { netCents: 4500, vatCents: 990, totalCents: 5490 },
        },
      },
      'en',
    );
    expect(text).toContain('- #7 Printer: 1 h 30 min, €45.00 (already invoiced)');
    expect(text).toContain('- #8 Mail: 1 h 30 min, €45.00 (not yet invoiced)');
    expect(text).toContain('Already invoiced: net €45.00, VAT €9.90, total €54.90');
    expect(text).toContain('Not yet invoiced: net €45.00, VAT €9.90, total €54.90');
  });
});
