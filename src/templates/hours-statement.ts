/** The monthly statement email (issue #24): totals in the text, the detail in the CSV. Pure. */
import { formatDuration } from '../core/billing/duration.js';
import type { ReportCustomer } from '../core/billing/hours-report.js';
import { formatMoney } from '../core/billing/money.js';
import { type Locale, type RenderedMessage, rendered } from './format.js';

export function hoursStatement(
  data: { month: string; customer: ReportCustomer; vatPercent: number; companyName: string },
  locale: Locale,
): RenderedMessage {
  const c = data.customer;
  const money = (cents: number) => formatMoney(cents, locale);
  const minutes = c.tickets.reduce((a, t) => a + t.bill.rawMinutes, 0);
  const tickets = c.tickets.map(
    (t) =>
      `- #${t.ticketNumber} ${t.subject}: ${formatDuration(t.bill.rawMinutes)}, ${money(t.bill.netCents)}`,
  );
  if (locale === 'en') {
    return rendered(
      [
        'Hello,',
        `here is the statement of the support hours of ${data.month}.`,
        tickets.join('\n'),
        `Total time: ${formatDuration(minutes)}\nNet: ${money(c.netCents)}\nVAT ${data.vatPercent}%: ${money(c.vatCents)}\nTotal: ${money(c.totalCents)}`,
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
      'Il dettaglio è nel file CSV allegato. Per domande risponda a questo messaggio.',
      `Assistenza ${data.companyName}`,
    ].join('\n\n'),
    `Riepilogo ore di assistenza ${data.month}`,
  );
}
