/**
 * A ticket's time (issue #24): its time entries (log, correct, delete) with the bill so far, and
 * the hour summary posted in the Slack thread or to the customer.
 */
import { z } from 'zod';
import { ticketSummaryData } from '../core/billing/billing-store.js';
import { postHourSummary } from '../core/billing/hour-summary.js';
import {
  deleteTimeEntry,
  listTimeEntries,
  recordTimeEntry,
  updateTimeEntry,
} from '../core/billing/time-entries.js';
import type { CoreContext } from '../core/core-context.js';
import {
  newTimeEntryBody,
  summaryBody,
  technicianQuery,
  ticketTimeView,
  timeEntryParams,
  timeEntryPatchBody,
  timeEntryView,
} from './billing-schemas.js';
import { errors, json } from './responses.js';
import { ticketNumberParams } from './schemas.js';
import type { ZodApi } from './zod-api.js';

/** `/tickets/:number/time…` routes. */
export function registerTimeEntryRoutes(api: ZodApi, core: CoreContext): void {
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
}
