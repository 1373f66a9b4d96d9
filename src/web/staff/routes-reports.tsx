import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEFAULT_BUSINESS_CALENDAR } from '../../core/business-calendar.js';
import { reportPeriod } from '../../core/reports/periods.js';
import { backlogCsv, channelsCsv, firstContactCsv, revenueCsv } from '../../core/reports/report-csv.js';
import {
  backlogReport,
  channelReport,
  firstContactReport,
  revenueReport,
} from '../../core/reports/reports.js';
import { toLocale } from '../../templates/format.js';
import { pageContext, sendPage, type WebDeps } from '../web-ui.js';
import { reportTexts } from './report-texts.js';
import { loadReports, renderReportCharts } from './reports-data.js';
import { ReportsContent } from './reports-view.js';
import { StaffLayout } from './staff-layout.js';
import { reportsQuery, staffQuery } from './staff-query.js';

/**
 * The reports (#25, item 4) for every signed-in staff member: `/staff/reports` (filters by months
 * and ISO weeks, charts as SVG, tables) and `/staff/reports/<name>.csv` with the same period.
 */
export function registerReportPages(scope: FastifyInstance, deps: WebDeps): void {
  const { core, settings } = deps;
  /** @throws StaffQueryRefused for a month or week that is not one of the supported calendar. */
  const periodOf = (request: FastifyRequest) =>
    reportPeriod(
      staffQuery(request, reportsQuery),
      core.now(),
      (core.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone,
    );

  scope.get('/staff/reports', async (request, reply) => {
    const ctx = pageContext(request, reply, settings);
    const locale = toLocale(ctx.t.lang);
    const t = reportTexts(locale);
    const data = await loadReports(core, periodOf(request));
    const charts = await renderReportCharts(data, t, locale);
    return sendPage(
      reply,
      <StaffLayout {...ctx} title={t.reports} staff={request.staff} active="reports">
        <ReportsContent t={t} locale={locale} data={data} charts={charts} />
      </StaffLayout>,
    );
  });

  const csvRoutes: Record<string, (period: ReturnType<typeof periodOf>) => Promise<string>> = {
    revenue: async (p) => revenueCsv(await revenueReport(core, core.database, p)),
    'first-contact': async (p) => firstContactCsv(await firstContactReport(core, core.database, p)),
    channels: async (p) => channelsCsv(await channelReport(core, core.database, p)),
    backlog: async () => backlogCsv(await backlogReport(core.database)),
  };
  for (const [name, build] of Object.entries(csvRoutes)) {
    scope.get(`/staff/reports/${name}.csv`, async (request, reply) => {
      const period = periodOf(request);
      const span =
        name === 'first-contact'
          ? `${period.fromWeek}_${period.toWeek}`
          : `${period.fromMonth}_${period.toMonth}`;
      const file = name === 'backlog' ? 'arretrato.csv' : `${FILE_NAMES[name]}-${span}.csv`;
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${file}"`)
        .header('cache-control', 'no-store')
        .send(await build(period));
    });
  }
}

const FILE_NAMES: Record<string, string> = {
  revenue: 'ore-ricavi',
  'first-contact': 'primo-contatto',
  channels: 'ticket-per-canale',
};
