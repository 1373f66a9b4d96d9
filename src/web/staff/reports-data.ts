/** The staff reports page's numbers and charts (#25): the four reports of a period, as SVG too. */

import { formatMoney } from '../../core/billing/money.js';
import type { CoreContext } from '../../core/core-context.js';
import type { TicketStatus } from '../../core/lifecycle.js';
import type { ReportPeriod } from '../../core/reports/periods.js';
import { hoursDecimalComma } from '../../core/reports/report-csv.js';
import {
  backlogReport,
  channelReport,
  firstContactReport,
  type RevenueReport,
  revenueReport,
} from '../../core/reports/reports.js';
import type { FirstContactWeekRow } from '../../db/sql/report-first-contact-weeks.js';
import type { Locale } from '../../templates/format.js';
import { type BarChart, renderBarChart } from './report-charts.js';
import type { ReportTexts } from './report-texts.js';

export interface ReportsData {
  period: ReportPeriod;
  revenue: RevenueReport;
  firstContact: FirstContactWeekRow[];
  channels: Array<{ channel: string; tickets: number }>;
  backlog: Array<{ status: TicketStatus; tickets: number }>;
}

/** The four reports of `period`, read outside any transaction (read-only). */
export async function loadReports(core: CoreContext, period: ReportPeriod): Promise<ReportsData> {
  const tx = core.database;
  const [revenue, firstContact, channels, backlog] = await Promise.all([
    revenueReport(core, tx, period),
    firstContactReport(core, tx, period),
    channelReport(core, tx, period),
    backlogReport(tx),
  ]);
  return { period, revenue, firstContact, channels, backlog };
}

/** Hours with a decimal separator of the locale (`1,50` / `1.50`). */
export function formatHours(minutes: number, locale: Locale): string {
  const text = hoursDecimalComma(minutes);
  return locale === 'en' ? text.replace(',', '.') : text;
}

/** Colours of the first-contact stacks (contrast on white ≥ 4.5:1), also the legend's. */
export const OUTCOME_COLORS = { met: '#1a7f37', missed: '#c62828' } as const;

export interface ReportCharts {
  revenue: string;
  hours: string;
  firstContact: string;
  channels: string;
  backlog: string;
}

const listing = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `${k}: ${v}`).join('; ');

/** The SVG of each chart; each description lists every value, for screen readers. */
export async function renderReportCharts(
  data: ReportsData,
  t: ReportTexts,
  locale: Locale,
): Promise<ReportCharts> {
  const months = data.revenue.perMonth;
  const money = (cents: number) => formatMoney(cents, locale);
  const hours = (minutes: number) => `${formatHours(minutes, locale)} h`;
  const weeks = data.firstContact.map((w) => w.week);
  const charts: BarChart[] = [
    {
      id: 'chart-revenue',
      title: t.revenueChart,
      desc: listing(months.map((m) => [m.month, money(m.netCents)])),
      labels: months.map((m) => m.month),
      bars: months.map((m) => ({ label: m.month, value: m.netCents / 100 })),
      valueLabel: t.euros,
      formatValue: (v) => money(Math.round(v * 100)),
      locale,
    },
    {
      id: 'chart-hours',
      title: t.hoursChart,
      desc: listing(months.map((m) => [m.month, hours(m.workedMinutes)])),
      labels: months.map((m) => m.month),
      bars: months.map((m) => ({ label: m.month, value: m.workedMinutes / 60 })),
      valueLabel: t.hours,
      formatValue: (v) => hours(Math.round(v * 60)),
      locale,
    },
    {
      id: 'chart-first-contact',
      title: t.firstContact,
      desc: listing(data.firstContact.map((w) => [w.week, `${t.met} ${w.met}, ${t.missed} ${w.missed}`])),
      labels: weeks,
      bars: data.firstContact.flatMap((w) => [
        { label: w.week, value: w.met, series: t.met },
        { label: w.week, value: w.missed, series: t.missed },
      ]),
      series: [
        { key: t.met, color: OUTCOME_COLORS.met },
        { key: t.missed, color: OUTCOME_COLORS.missed },
      ],
      valueLabel: t.tickets,
      formatValue: String,
      integer: true,
      locale,
    },
    {
      id: 'chart-channels',
      title: t.channels,
      desc: listing(data.channels.map((c) => [c.channel, String(c.tickets)])),
      labels: data.channels.map((c) => c.channel),
      bars: data.channels.map((c) => ({ label: c.channel, value: c.tickets })),
      valueLabel: t.tickets,
      formatValue: String,
      integer: true,
      horizontal: true,
      locale,
    },
    {
      id: 'chart-backlog',
      title: t.backlog,
      desc: listing(data.backlog.map((b) => [t.statuses[b.status], String(b.tickets)])),
      labels: data.backlog.map((b) => t.statuses[b.status]),
      bars: data.backlog.map((b) => ({ label: t.statuses[b.status], value: b.tickets })),
      valueLabel: t.tickets,
      formatValue: String,
      integer: true,
      horizontal: true,
      locale,
    },
  ];
  const [revenue, hoursSvg, firstContact, channels, backlog] = await Promise.all(charts.map(renderBarChart));
  return {
    revenue: revenue!,
    hours: hoursSvg!,
    firstContact: firstContact!,
    channels: channels!,
    backlog: backlog!,
  };
}
