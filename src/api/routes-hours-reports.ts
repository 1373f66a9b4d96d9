/**
 * The monthly hours report (JSON or CSV for Italian Excel), the export for invoicing that locks
 * a month's entries, and the customers' monthly statements by email (issue #24).
 */
import { z } from 'zod';
import { exportForInvoicing, hoursReport, hoursReportCsv } from '../core/billing/hours-report.js';
import { sendMonthlyStatements } from '../core/billing/statements.js';
import type { CoreContext } from '../core/core-context.js';
import { exportBody, hoursReportQuery, hoursReportView, statementsBody } from './billing-schemas.js';
import { errors, json } from './responses.js';
import type { ZodApi } from './zod-api.js';

/** `/reports/hours…` routes. */
export function registerHoursReportRoutes(api: ZodApi, core: CoreContext): void {
  const tx = { db: core.database.db, sql: core.database.sql };
  api.get(
    '/reports/hours',
    {
      schema: {
        summary: 'Hours and amounts of a month per customer; format=csv gives CSV for Italian Excel',
        querystring: hoursReportQuery,
        response: { 200: json('The report (or text/csv)', hoursReportView), ...errors() },
      },
    },
    async (request, reply) => {
      const { month, customerId, format } = request.query;
      const report = await hoursReport(
        core,
        tx,
        month,
        customerId === undefined ? undefined : BigInt(customerId),
      );
      if (format === 'json') return report;
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="ore-${month}.csv"`)
        .serializer((payload: unknown) => payload as string)
        .send(hoursReportCsv(report));
    },
  );

  api.post(
    '/reports/hours/export',
    {
      schema: {
        summary:
          'Export a month for invoicing: marks its confirmed entries billed (locked) and returns the report as it is after the export',
        body: exportBody,
        response: {
          200: json(
            'Billed',
            z.object({ exportId: z.string(), entries: z.number().int(), report: hoursReportView }),
          ),
          ...errors(),
        },
      },
    },
    async (request) => {
      const { month, customerId, author } = request.body;
      const customer = customerId === undefined ? undefined : BigInt(customerId);
      return core.database.transaction(async (t) => {
        const result = await exportForInvoicing(core, t, {
          month,
          customerId: customer,
          actor: `technician:${author}`,
        });
        // The month as it is now: the lines just exported read billed, from the stored export.
        const report = await hoursReport(core, t, month, customer);
        return { ...result, report };
      });
    },
  );

  api.post(
    '/reports/hours/statements',
    {
      schema: {
        summary: "Email each customer their month's statement with the CSV attached (once, unless resend)",
        body: statementsBody,
        response: {
          200: json(
            'What happened per customer',
            z.object({
              statements: z.array(
                z.object({
                  customerId: z.string(),
                  status: z.enum(['queued', 'already_sent', 'no_email']),
                  deliveryId: z.string().optional(),
                }),
              ),
            }),
          ),
          ...errors(),
        },
      },
    },
    async (request) => {
      const { month, customerId, resend, author } = request.body;
      const statements = await core.database.transaction((t) =>
        sendMonthlyStatements(core, t, {
          month,
          customerId: customerId === undefined ? undefined : BigInt(customerId),
          resend,
          actor: `technician:${author}`,
        }),
      );
      core.jobs.wake();
      return { statements };
    },
  );
}
