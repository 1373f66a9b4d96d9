/**
 * The hour summary (issue #24, T6): each entry with its date, kind, raw and billed time, then
 * total time, prepaid hours used and left, rate, net, VAT and total. In the customer's language,
 * Italian by default. Durations as `1 h 30 min`, money as `€ 45,00`; pure.
 */
import { formatDuration } from '../core/billing/duration.js';
import { formatMoney } from '../core/billing/money.js';
import type { EntryKind, TicketBill } from '../core/billing/pricing.js';
import { ticketSubject } from './customer-messages.js';
import { type Locale, type RenderedMessage, rendered } from './format.js';

export interface HourSummaryData {
  ticketNumber: number;
  subject: string;
  bill: TicketBill;
  hasPrepaid: boolean;
  prepaidLeftMinutes: number;
  /** Entries still waiting for a technician's confirmation (not billed). */
  pendingCount: number;
  /** The ticket is resolved (the final summary) or still being worked on. */
  final: boolean;
}

const KIND: Record<Locale, Record<EntryKind, string>> = {
  it: { remote: 'da remoto', on_site: 'presso la sede', phone: 'telefono' },
  en: { remote: 'remote', on_site: 'on site', phone: 'phone' },
};

/** `02/03/2026` or `2 Mar 2026`, from the entry's local date. */
function formatDate(localDate: string, locale: Locale): string {
  const [y, m, d] = localDate.split('-');
  if (locale === 'it') return `${d}/${m}/${y}`;
  const month = new Intl.DateTimeFormat('en-GB', { month: 'short', timeZone: 'UTC' }).format(
    new Date(`${localDate}T12:00:00Z`),
  );
  return `${Number(d)} ${month} ${y}`;
}

export function hourSummary(data: HourSummaryData, locale: Locale): RenderedMessage {
  const b = data.bill;
  const money = (cents: number) => formatMoney(cents, locale);
  const it = locale === 'it';
  const lines = b.lines.map((l) => {
    const billed = !l.billable
      ? it
        ? 'non addebitato'
        : 'not charged'
      : l.billedMinutes === l.rawMinutes
        ? ''
        : it
          ? `fatturato ${formatDuration(l.billedMinutes)}`
          : `billed ${formatDuration(l.billedMinutes)}`;
    return `- ${formatDate(l.localDate, locale)}, ${KIND[locale][l.kind]}: ${formatDuration(l.rawMinutes)}${billed ? ` (${billed})` : ''}`;
  });
  const out: string[] = [];
  if (it) {
    out.push(
      `${data.final ? 'Riepilogo ore' : 'Riepilogo ore provvisorio'} del ticket n. ${data.ticketNumber}: "${data.subject}"`,
      lines.length ? lines.join('\n') : 'Nessun tempo registrato.',
      [
        `Tempo totale: ${formatDuration(b.rawMinutes)}${b.billedMinutes !== b.rawMinutes ? ` (fatturato ${formatDuration(b.billedMinutes)})` : ''}`,
        ...(data.hasPrepaid
          ? [
              `Ore prepagate usate: ${formatDuration(b.prepaidMinutes)}, residue: ${formatDuration(data.prepaidLeftMinutes)}`,
            ]
          : []),
        `Tariffa: ${money(b.hourlyRateCents)} l'ora + IVA, su ${formatDuration(b.chargeableMinutes)}`,
        ...(b.surchargeCents > 0
          ? [
              `Maggiorazione fuori orario (${b.surchargePercent}% su ${formatDuration(b.outOfHoursMinutes)}): ${money(b.surchargeCents)}`,
            ]
          : []),
        `Imponibile: ${money(b.netCents)}`,
        `IVA ${b.vatPercent}%: ${money(b.vatCents)}`,
        `Totale: ${money(b.totalCents)}`,
      ].join('\n'),
    );
    if (data.pendingCount > 0)
      out.push(`${data.pendingCount} registrazione/i in attesa di conferma del tecnico, non incluse.`);
    out.push('Per domande su questo riepilogo risponda a questo messaggio.');
  } else {
    out.push(
      `${data.final ? 'Hour summary' : 'Interim hour summary'} of ticket #${data.ticketNumber}: "${data.subject}"`,
      lines.length ? lines.join('\n') : 'No time logged.',
      [
        `Total time: ${formatDuration(b.rawMinutes)}${b.billedMinutes !== b.rawMinutes ? ` (billed ${formatDuration(b.billedMinutes)})` : ''}`,
        ...(data.hasPrepaid
          ? [
              `Prepaid hours used: ${formatDuration(b.prepaidMinutes)}, left: ${formatDuration(data.prepaidLeftMinutes)}`,
            ]
          : []),
        `Rate: ${money(b.hourlyRateCents)} per hour + VAT, on ${formatDuration(b.chargeableMinutes)}`,
        ...(b.surchargeCents > 0
          ? [
              `Out-of-hours surcharge (${b.surchargePercent}% on ${formatDuration(b.outOfHoursMinutes)}): ${money(b.surchargeCents)}`,
            ]
          : []),
        `Net: ${money(b.netCents)}`,
        `VAT ${b.vatPercent}%: ${money(b.vatCents)}`,
        `Total: ${money(b.totalCents)}`,
      ].join('\n'),
    );
    if (data.pendingCount > 0)
      out.push(`${data.pendingCount} entries await the technician's confirmation and are not included.`);
    out.push('For questions about this summary, just reply to this message.');
  }
  return rendered(out.join('\n\n'), `Re: ${ticketSubject(data.ticketNumber, data.subject)}`);
}
