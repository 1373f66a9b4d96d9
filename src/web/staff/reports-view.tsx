/** The staff reports page's content (#25): filters, then per report its chart, its table and its CSV. */
import type { ComponentChildren } from 'preact';
import { formatMoney } from '../../core/billing/money.js';
import type { ReportPeriod } from '../../core/reports/periods.js';
import type { Locale } from '../../templates/format.js';
import type { ReportTexts } from './report-texts.js';
import { formatHours, OUTCOME_COLORS, type ReportCharts, type ReportsData } from './reports-data.js';

/** The CSV paths, with the page's period (`/staff/reports/<name>.csv?...`). */
export const REPORT_CSVS = ['revenue', 'first-contact', 'channels', 'backlog'] as const;
export type ReportCsvName = (typeof REPORT_CSVS)[number];

export function periodQuery(period: ReportPeriod): string {
  return new URLSearchParams({ ...period }).toString();
}

function Chart(props: { svg: string }) {
  // The SVG comes from report-charts.ts: Plot's serializer escapes every text in it.
  return <div class="chart-box" dangerouslySetInnerHTML={{ __html: props.svg }} />;
}

function Report(props: {
  id: string;
  title: string;
  csv: string;
  t: ReportTexts;
  children: ComponentChildren;
}) {
  return (
    <section aria-labelledby={`${props.id}-h`}>
      <h2 id={`${props.id}-h`}>{props.title}</h2>
      {props.children}
      <p>
        <a href={props.csv} download>
          {props.t.csv} ({props.title})
        </a>
      </p>
    </section>
  );
}

function PeriodForm(props: { t: ReportTexts; period: ReportPeriod }) {
  const { t, period } = props;
  const input = (name: keyof ReportPeriod, label: string, type: 'month' | 'week', hint: string) => (
    <p>
      <label for={name}>{label}</label>
      <input id={name} name={name} type={type} value={period[name]} aria-describedby={`${name}-hint`} />
      <small id={`${name}-hint`}>{hint}</small>
    </p>
  );
  return (
    <form method="get" action="/staff/reports" class="filters" aria-label={t.period}>
      {input('fromMonth', t.fromMonth, 'month', t.monthHint)}
      {input('toMonth', t.toMonth, 'month', t.monthHint)}
      {input('fromWeek', t.fromWeek, 'week', t.weekHint)}
      {input('toWeek', t.toWeek, 'week', t.weekHint)}
      <p>
        <button type="submit">{t.apply}</button>
      </p>
    </form>
  );
}

export function ReportsContent(props: {
  t: ReportTexts;
  locale: Locale;
  data: ReportsData;
  charts: ReportCharts;
}) {
  const { t, locale, data, charts } = props;
  const query = periodQuery(data.period);
  const csv = (name: ReportCsvName) => `/staff/reports/${name}.csv?${query}`;
  const money = (cents: number) => formatMoney(cents, locale);
  const num = 'num';
  return (
    <>
      <PeriodForm t={t} period={data.period} />
      <Report id="revenue" title={t.revenue} csv={csv('revenue')} t={t}>
        <Chart svg={charts.revenue} />
        <Chart svg={charts.hours} />
        {data.revenue.rows.length === 0 ? (
          <p>{t.none}</p>
        ) : (
          <table>
            <caption>{t.revenue}</caption>
            <thead>
              <tr>
                <th scope="col">{t.customer}</th>
                <th scope="col">{t.month}</th>
                <th scope="col" class="num">
                  {t.worked}
                </th>
                <th scope="col" class="num">
                  {t.billed}
                </th>
                <th scope="col" class="num">
                  {t.net}
                </th>
                <th scope="col" class="num">
                  {t.total}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.revenue.rows.map((r) => (
                <tr key={`${r.customerId}-${r.month}`}>
                  <th scope="row">{r.name}</th>
                  <td>{r.month}</td>
                  <td class={num}>{formatHours(r.workedMinutes, locale)}</td>
                  <td class={num}>{formatHours(r.billedMinutes, locale)}</td>
                  <td class={num}>{money(r.netCents)}</td>
                  <td class={num}>{money(r.totalCents)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              {data.revenue.perMonth.map((m) => (
                <tr key={m.month}>
                  <th scope="row">{t.totalRow}</th>
                  <td>{m.month}</td>
                  <td class={num}>{formatHours(m.workedMinutes, locale)}</td>
                  <td />
                  <td class={num}>{money(m.netCents)}</td>
                  <td class={num}>{money(m.totalCents)}</td>
                </tr>
              ))}
            </tfoot>
          </table>
        )}
      </Report>
      <Report id="first-contact" title={t.firstContact} csv={csv('first-contact')} t={t}>
        <Chart svg={charts.firstContact} />
        <ul class="legend">
          <li>
            <svg width="12" height="12" aria-hidden="true">
              <rect width="12" height="12" fill={OUTCOME_COLORS.met} />
            </svg>{' '}
            {t.met}
          </li>
          <li>
            <svg width="12" height="12" aria-hidden="true">
              <rect width="12" height="12" fill={OUTCOME_COLORS.missed} />
            </svg>{' '}
            {t.missed}
          </li>
        </ul>
        <table>
          <caption>{t.firstContact}</caption>
          <thead>
            <tr>
              <th scope="col">{t.weekOf}</th>
              <th scope="col" class="num">
                {t.met}
              </th>
              <th scope="col" class="num">
                {t.missed}
              </th>
              <th scope="col" class="num">
                {t.pending}
              </th>
            </tr>
          </thead>
          <tbody>
            {data.firstContact.map((w) => (
              <tr key={w.week}>
                <th scope="row">{w.week}</th>
                <td class={num}>{w.met}</td>
                <td class={num}>{w.missed}</td>
                <td class={num}>{w.pending}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Report>
      <Report id="channels" title={t.channels} csv={csv('channels')} t={t}>
        {data.channels.length === 0 ? <p>{t.none}</p> : <Chart svg={charts.channels} />}
        <CountTable
          caption={t.channels}
          head={[t.channel, t.tickets]}
          rows={data.channels.map((c) => [c.channel, c.tickets])}
        />
      </Report>
      <Report id="backlog" title={t.backlog} csv={csv('backlog')} t={t}>
        <Chart svg={charts.backlog} />
        <CountTable
          caption={t.backlog}
          head={[t.status, t.tickets]}
          rows={data.backlog.map((b) => [t.statuses[b.status], b.tickets])}
        />
      </Report>
    </>
  );
}

function CountTable(props: { caption: string; head: [string, string]; rows: Array<[string, number]> }) {
  return (
    <table>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{props.head[0]}</th>
          <th scope="col" class="num">
            {props.head[1]}
          </th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map(([label, count]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td class="num">{count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
