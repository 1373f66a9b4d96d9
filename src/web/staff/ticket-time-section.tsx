/**
 * The time logged on a ticket, on the staff ticket page (#25): every entry (out-of-range ones
 * included, marked as not priced: docs/date-bounds.md) and the bill so far, priced by the same
 * code as the hour summary, the REST API and the reports (`ticketSummaryData`, src/core/billing).
 */
import type { TicketSummaryData } from '../../core/billing/billing-store.js';
import { formatMoney } from '../../core/billing/money.js';
import type { TimeEntryRow } from '../../core/billing/time-entries.js';
import { isSupportedInstant } from '../../core/date-bounds.js';
import { toLocale } from '../../templates/format.js';
import { dateTime } from '../views/dates.js';
import type { PageContext } from '../views/layout.js';
import type { TicketTexts } from './ticket-texts.js';

export interface TicketTimeData {
  /** Every entry of the ticket, oldest first (running and unconfirmed ones too). */
  entries: TimeEntryRow[];
  /** The bill of its confirmed, priceable entries. */
  bill: TicketSummaryData['bill'];
}

/** Minutes as `1 h 30 min` (`45 min`, `2 h`). */
export function durationText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

function whenText(ctx: PageContext, at: Date): string {
  if (Number.isNaN(at.getTime())) return '—';
  // Outside 2000–2099 the page's short date would lose the century: the ISO date says it whole.
  return isSupportedInstant(at) ? dateTime(ctx, at) : at.toISOString().slice(0, 10);
}

function priceState(t: TicketTexts, entry: TimeEntryRow, billed: Map<string, number>): string {
  if (!isSupportedInstant(entry.startedAt)) return t.timeOutOfRange;
  if (entry.status === 'running') return t.timeRunning;
  if (entry.status === 'unconfirmed') return t.timeUnconfirmed;
  const minutes = billed.get(entry.id.toString());
  return minutes === undefined ? '—' : durationText(minutes);
}

/** The "Tempo registrato / Time logged" section: a table of entries, then the totals and price. */
export function TicketTime(props: { ctx: PageContext; t: TicketTexts; data: TicketTimeData }) {
  const { ctx, t } = props;
  const { entries, bill } = props.data;
  const locale = toLocale(ctx.t.lang);
  const money = (cents: number) => formatMoney(cents, locale);
  const billed = new Map(bill.lines.map((l) => [l.entryId, l.billedMinutes]));
  const logged = entries.reduce((sum, e) => sum + (e.minutes ?? 0), 0);
  return (
    <section aria-labelledby="time">
      <h2 id="time">{t.timeLogged}</h2>
      {entries.length === 0 ? (
        <p>{t.noTime}</p>
      ) : (
        <table class="staff-table">
          <caption>{t.timeLogged}</caption>
          <thead>
            <tr>
              <th scope="col">{t.timeDate}</th>
              <th scope="col">{t.timeTechnician}</th>
              <th scope="col">{t.timeDuration}</th>
              <th scope="col">{t.kind}</th>
              <th scope="col">{t.timeNote}</th>
              <th scope="col">{t.billable}</th>
              <th scope="col">{t.timeInvoiced}</th>
              <th scope="col">{t.timeCharged}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id.toString()}>
                <td>{whenText(ctx, e.startedAt)}</td>
                <td>{e.technician}</td>
                <td>{e.minutes === null ? '—' : durationText(e.minutes)}</td>
                <td>{t.kinds[e.kind as keyof TicketTexts['kinds']] ?? e.kind}</td>
                <td>{e.note}</td>
                <td>{e.billable ? t.yes : t.no}</td>
                <td>{e.billedAt ? `${t.yes}, ${whenText(ctx, e.billedAt)}` : t.no}</td>
                <td>{priceState(t, e, billed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <dl class="ticket-facts">
        <dt>{t.timeTotal}</dt>
        <dd>{durationText(logged)}</dd>
        <dt>{t.timeBilled}</dt>
        <dd>{durationText(bill.billedMinutes)}</dd>
        {bill.prepaidMinutes > 0 && (
          <>
            <dt>{t.timePrepaid}</dt>
            <dd>{durationText(bill.prepaidMinutes)}</dd>
          </>
        )}
        <dt>{`${t.timeRate}`}</dt>
        <dd>{`${money(bill.hourlyRateCents)}/h`}</dd>
        {bill.surchargeCents > 0 && (
          <>
            <dt>{`${t.timeSurcharge} (${bill.surchargePercent}%)`}</dt>
            <dd>{money(bill.surchargeCents)}</dd>
          </>
        )}
        <dt>{t.timeNet}</dt>
        <dd>{money(bill.netCents)}</dd>
        <dt>{`${t.timeVat} (${bill.vatPercent}%)`}</dt>
        <dd>{money(bill.vatCents)}</dd>
        <dt>{t.timeGross}</dt>
        <dd>{money(bill.totalCents)}</dd>
      </dl>
    </section>
  );
}
