/**
 * Billing routes (issue #24): time entries of a ticket, the hour summary, customers' contracts
 * and prepaid hours, the monthly hours report (JSON or CSV) and the export for invoicing.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ticketSummaryData } from '../core/billing/billing-store.js';
import { addPrepaidPackage, getContract, putContract } from '../core/billing/contracts.js';
import { postHourSummary } from '../core/billing/hour-summary.js';
import { exportForInvoicing, hoursReport, hoursReportCsv } from '../core/billing/hours-report.js';
import { sendMonthlyStatements } from '../core/billing/statements.js';
import {
  deleteTimeEntry,
  listTimeEntries,
  recordTimeEntry,
  updateTimeEntry,
} from '../core/billing/time-entries.js';
import type { CoreContext } from '../core/core-context.js';
import {
  contractBody,
  contractView,
  exportBody,
  hoursReportQuery,
  hoursReportView,
  newTimeEntryBody,
  prepaidBody,
  statementsBody,
  summaryBody,
  technicianQuery,
  ticketTimeView,
  timeEntryParams,
  timeEntryPatchBody,
  timeEntryView,
} from './billing-schemas.js';
import { errors, json } from './responses.js';
import { customerIdParams, ticketNumberParams } from './schemas.js';

type ZodApi = ReturnType<typeof zodApi>;

function zodApi(server: FastifyInstance) {
  return server.withTypeProvider<ZodTypeProvider>();
}

export function registerBillingRoutes(api: ZodApi, core: CoreContext): void {
  const tx = { db: core.database.db, sql: core.database.sql };
  const ticketTime = async (number: number) => {
    const data = await ticketSummaryData(core, tx, number);
    return {
      entries: await listTimeEntries(tx, data.ticket.id),
      bill: data.bill,
      prepaidLeftMinutes: data.prepaidLeftMinutes,
    };
  };

  api.get(
    '/tickets/:number/time',
    {
      schema: {
        summary: "A ticket's time entries and its bill so far (confirmed entries only)",
        params: ticketNumberParams,
        response: { 200: json('Entries and bill', ticketTimeView), ...errors({ 404: 'No such ticket' }) },
      },
    },
    async (request) => ticketTime(request.params.number),
  );

  api.post(
    '/tickets/:number/time',
    {
      schema: {
        summary: 'Log time on a ticket',
        params: ticketNumberParams,
        body: newTimeEntryBody,
        response: {
          201: json('Logged', z.object({ entry: timeEntryView })),
          ...errors({ 404: 'No such ticket' }),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const entry = await core.database.transaction((t) =>
        recordTimeEntry(core, t, { ticketNumber: request.params.number, ...body, source: 'api' }),
      );
      return reply.code(201).send({ entry });
    },
  );

  api.patch(
    '/tickets/:number/time/:entryId',
    {
      schema: {
        summary: 'Correct an entry (its own technician only, until it is billed)',
        params: timeEntryParams,
        body: timeEntryPatchBody,
        response: {
          200: json('Corrected', z.object({ entry: timeEntryView })),
          ...errors({ 403: 'Another technician’s entry', 404: 'No such entry', 409: 'Billed: locked' }),
        },
      },
    },
    async (request) => {
      const { technician, ...patch } = request.body;
      const entry = await core.database.transaction((t) =>
        updateTimeEntry(core, t, {
          ticketNumber: request.params.number,
          entryId: BigInt(request.params.entryId),
          technician,
          patch,
        }),
      );
      return { entry };
    },
  );

  api.delete(
    '/tickets/:number/time/:entryId',
    {
      schema: {
        summary: 'Delete an entry (its own technician only, until it is billed)',
        params: timeEntryParams,
        querystring: technicianQuery,
        response: {
          204: z.null().describe('Deleted'),
          ...errors({ 403: 'Another technician’s entry', 404: 'No such entry', 409: 'Billed: locked' }),
        },
      },
    },
    async (request, reply) => {
      await core.database.transaction((t) =>
        deleteTimeEntry(t, {
          ticketNumber: request.params.number,
          entryId: BigInt(request.params.entryId),
          technician: request.query.technician,
        }),
      );
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/tickets/:number/time/summary',
    {
      schema: {
        summary: 'Post the running hour summary in the Slack thread, and to the customer with toCustomer',
        params: ticketNumberParams,
        body: summaryBody,
        response: {
          200: json('Posted', z.object({ text: z.string() })),
          ...errors({ 404: 'No such ticket' }),
        },
      },
    },
    async (request) => {
      const { toCustomer, author } = request.body;
      const result = await core.database.transaction((t) =>
        postHourSummary(core, t, {
          ticketNumber: request.params.number,
          final: false,
          toCustomer,
          actor: `technician:${author}`,
        }),
      );
      core.jobs.wake();
      return { text: result.text };
    },
  );

  api.get(
    '/customers/:id/contract',
    {
      schema: {
        summary: "A customer's contract: rate, rounding, minimum, surcharge, prepaid hours left",
        params: customerIdParams,
        response: { 200: json('The contract', contractView), ...errors({ 404: 'No such customer' }) },
      },
    },
    async (request) => getContract(core, tx, BigInt(request.params.id)),
  );

  api.put(
    '/customers/:id/contract',
    {
      schema: {
        summary: "Set a customer's contract terms (hourlyRateCents null: the default rate)",
        params: customerIdParams,
        body: contractBody,
        response: { 200: json('The contract', contractView), ...errors({ 404: 'No such customer' }) },
      },
    },
    async (request) =>
      core.database.transaction((t) => putContract(core, t, BigInt(request.params.id), request.body, 'api')),
  );

  api.post(
    '/customers/:id/prepaid',
    {
      schema: {
        summary: 'Add a prepaid package ("monte ore") to a customer',
        params: customerIdParams,
        body: prepaidBody,
        response: { 201: json('The contract', contractView), ...errors({ 404: 'No such customer' }) },
      },
    },
    async (request, reply) => {
      const view = await core.database.transaction((t) =>
        addPrepaidPackage(core, t, BigInt(request.params.id), request.body, 'api'),
      );
      return reply.code(201).send(view);
    },
  );

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
