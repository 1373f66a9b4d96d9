/** The monthly statement email (issue #24): totals in the text, the detail in the CSV. Pure. */
import { formatDuration } from '../core/billing/duration.js';
import type { ReportCustomer } from '../core/billing/hours-report.js';
import { formatMoney } from '../core/billing/money.js';
import { withVat } from '../core/billing/pricing.js';
import { type Locale, type RenderedMessage, rendered } from './format.js';

/**
 * The statement of one customer's month. Besides the month's totals it shows the part already
 * invoiced (exported) and the part still to invoice, each with VAT computed once on its own net
 * (the two VAT amounts can differ by a cent from the month's, which is computed on the whole net).
 */
export function hoursStatement(
  data: { month: string; customer: ReportCustomer; vatPercent: number; companyName: string },
  locale: Locale,
): RenderedMessage {
  const c = data.customer;
  const money = (cents: number) => formatMoney(cents, locale);
  const minutes = c.tickets.reduce((a, t) => a + t.bill.rawMinutes, 0);
  const open = c.notYetBilled ?? { netCents: 0, vatCents: 0, totalCents: 0 };
  const billedNet = c.netCents - open.netCents;
  const billed = { netCents: billedNet, ...withVat(billedNet, data.vatPercent) };
  const en = locale === 'en';
  const tickets = c.tickets.map(
    (t) =>
      `- #${t.ticketNumber} ${t.subject}: ${formatDuration(t.bill.rawMinutes)}, ${money(t.bill.netCents)} (${
        t.billed ? (en ? 'already invoiced' : 'già fatturato') : en ? 'not yet invoiced' : 'da fatturare'
      })`,
  );
  const part = (label: string, p: typeof open, words: [string, string, string]) =>
    `${label}: ${words[0]} ${money(p.netCents)}, ${words[1]} ${money(p.vatCents)}, ${words[2]} ${money(p.totalCents)}`;
  const parts = en
    ? [
        part('Already invoiced', billed, ['net', 'VAT', 'total']),
        part('Not yet invoiced', open, ['net', 'VAT', 'total']),
      ]
    : [
        part('Già fatturato', billed, ['imponibile', 'IVA', 'totale']),
        part('Da fatturare', open, ['imponibile', 'IVA', 'totale']),
      ];
  if (en) {
    return rendered(
      [
        'Hello,',
        `here is the statement of the support hours of ${data.month}.`,
        tickets.join('\n'),
        `Total time: ${formatDuration(minutes)}\nNet: ${money(c.netCents)}\nVAT ${data.vatPercent}%: ${money(c.vatCents)}\nTotal: ${money(c.totalCents)}`,
        parts.join('\n'),
        'The attached CSV file has the detail. For questions just reply to this message.',
        `${data.companyName} support`,
      ].join('\n\n'),
      `Statement of support hours ${data.month}`,
    );
  }
  return rendered(
    [
      'Gentile cliente,',
      `le inviamo il riepilogo delle ore di assistenza di ${data.month}.`,
      tickets.join('\n'),
      `Tempo totale: ${formatDuration(minutes)}\nImponibile: ${money(c.netCents)}\nIVA ${data.vatPercent}%: ${money(c.vatCents)}\nTotale: ${money(c.totalCents)}`,
      parts.join('\n'),
      'Il dettaglio è nel file CSV allegato. Per domande risponda a questo messaggio.',
      `Assistenza ${data.companyName}`,
    ].join('\n\n'),
    `Riepilogo ore di assistenza ${data.month}`,
  );
}
