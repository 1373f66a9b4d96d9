import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createLinkCode } from '../core/chat-operations.js';
import type { CoreContext } from '../core/core-context.js';
import { activateCustomer, createCustomer, listCustomers } from '../core/customers.js';
import { NotFoundError } from '../core/errors.js';
import { listAlerts, listTickets, listUnmatched, ticketWithMessages } from '../core/staff-views.js';
import { getTicketByNumber, postTechnicianMessage, setStatus } from '../core/tickets.js';
import {
  alertView,
  customerView,
  errors,
  json,
  messageView,
  ticketView,
  toMessageView,
} from './responses.js';
import { registerBillingRoutes } from './routes-billing.js';
import { registerClosureRoutes } from './routes-closures.js';
import { registerConsentRoutes } from './routes-consent.js';
import { registerDeliveryRoutes } from './routes-deliveries.js';
import { registerErasureRoutes } from './routes-erasure.js';
import { registerProposalRoutes } from './routes-proposals.js';
import { registerSettingsRoutes } from './routes-settings.js';
import { registerUnmatchedRoutes } from './routes-unmatched.js';
import {
  customerIdParams,
  linkCodeBody,
  newCustomerBody,
  paging,
  statusChangeBody,
  technicianMessageBody,
  ticketListQuery,
  ticketNumberParams,
} from './schemas.js';

/** How a channel turns a one-time link code into something a customer can open (a deep link). */
export type LinkBuilder = (kind: 'telegram' | 'slack', code: string) => string | undefined;

/**
 * The `/api/v1` routes. Each declares its zod schemas once in `schema`: Fastify validates
 * `params`, `querystring` and `body` with them (a failure is a 400 naming the fields) and the
 * OpenAPI document is generated from the same `schema` (`summary`, `response` included).
 * A new route: add its request shapes to `schemas.ts`, then one `api.get/post(url, { schema }, handler)`.
 */
export function registerV1Routes(
  server: FastifyInstance,
  core: CoreContext,
  linkFor: LinkBuilder = () => undefined,
): void {
  const api = server.withTypeProvider<ZodTypeProvider>();
  const tx = { db: core.database.db, sql: core.database.sql };

  api.get(
    '/tickets',
    {
      schema: {
        summary: 'List tickets, newest first',
        querystring: ticketListQuery,
        response: { 200: json('Tickets', z.object({ tickets: z.array(ticketView) })), ...errors() },
      },
    },
    async (request) => {
      const { status, customerId, limit, offset } = request.query;
      const rows = await listTickets(core, {
        status,
        customerId: customerId ? BigInt(customerId) : undefined,
        limit,
        offset,
      });
      return { tickets: rows };
    },
  );

  api.get(
    '/tickets/:number',
    {
      schema: {
        summary: 'A ticket with its messages, attachments (metadata) and deliveries',
        params: ticketNumberParams,
        response: {
          200: json('The ticket', z.object({ ticket: ticketView, messages: z.array(messageView) })),
          ...errors({ 404: 'No such ticket' }),
        },
      },
    },
    async (request) => {
      const found = await ticketWithMessages(core, request.params.number);
      return {
        ticket: found.ticket,
        messages: found.messages.map((m) => toMessageView(m.message, m.attachments, m.deliveries)),
      };
    },
  );

  api.post(
    '/tickets/:number/messages',
    {
      schema: {
        summary: "Post a technician reply (sent in the customer's channel) or an internal note",
        params: ticketNumberParams,
        body: technicianMessageBody,
        response: {
          201: json(
            'Stored; a reply is queued for delivery',
            z.object({
              messageId: z.string(),
              deliveryId: z.string().nullable(),
              redacted: z
                .number()
                .int()
                .describe('Secrets (passwords, card numbers, IBANs) replaced by [redacted] before storing'),
            }),
          ),
          ...errors({ 404: 'No such ticket', 409: 'Status change not allowed by the lifecycle' }),
        },
      },
    },
    async (request, reply) => {
      const result = await postTechnicianMessage(core, {
        ticketNumber: request.params.number,
        ...request.body,
        signed: true,
      });
      return reply
        .code(201)
        .send({ messageId: result.messageId, deliveryId: result.deliveryId, redacted: result.redacted });
    },
  );

  api.post(
    '/tickets/:number/status',
    {
      schema: {
        summary: 'Change the status as the lifecycle allows',
        params: ticketNumberParams,
        body: statusChangeBody,
        response: {
          200: json('The ticket after the change', z.object({ ticket: ticketView })),
          ...errors({ 404: 'No such ticket', 409: 'Not allowed by the lifecycle' }),
        },
      },
    },
    async (request) => {
      const { number } = request.params;
      const { status, author } = request.body;
      await core.database.transaction(async (t) => {
        const ticket = await getTicketByNumber(t, number, { forUpdate: true });
        await setStatus(core, t, ticket, status, `technician:${author}`);
      });
      return { ticket: await getTicketByNumber(tx, number) };
    },
  );

  api.get(
    '/customers',
    {
      schema: {
        summary: 'Customers with their identities',
        response: { 200: json('Customers', z.object({ customers: z.array(customerView) })), ...errors() },
      },
    },
    async () => ({ customers: await listCustomers(core) }),
  );

  api.post(
    '/customers',
    {
      schema: {
        summary: 'Create a customer with identities',
        body: newCustomerBody,
        response: {
          201: json('Created', z.object({ customer: customerView })),
          ...errors({ 409: 'An identity belongs to another customer' }),
        },
      },
    },
    async (request, reply) => {
      const customer = await createCustomer(core, request.body, 'api');
      return reply.code(201).send({ customer });
    },
  );

  api.post(
    '/customers/:id/activate',
    {
      schema: {
        summary: 'Activate a pending customer (starts the first-contact clock of their tickets)',
        params: customerIdParams,
        response: {
          200: json('The customer, active', z.object({ customer: customerView })),
          ...errors({ 404: 'No such customer' }),
        },
      },
    },
    async (request) => {
      const id = BigInt(request.params.id);
      await activateCustomer(core, id, 'api');
      const [customer] = await listCustomers(core, id);
      return { customer };
    },
  );

  api.post(
    '/customers/:id/link-code',
    {
      schema: {
        summary:
          'A one-time code (24 h) linking a Telegram or Slack account to the customer: `link` is the t.me deep link',
        params: customerIdParams,
        body: linkCodeBody,
        response: {
          201: json(
            'The code',
            z.object({ code: z.string(), link: z.string().nullable(), startCommand: z.string() }),
          ),
          ...errors({ 404: 'No such customer' }),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const [customer] = await listCustomers(core, BigInt(id));
      if (!customer) throw new NotFoundError('customer', id);
      const { kind } = request.body;
      const code = await createLinkCode(core, customer.id, kind);
      // What the customer sends the bot: Telegram `/start <code>` (or the deep link), Slack `link <code>`.
      const startCommand = kind === 'slack' ? `link ${code}` : `/start ${code}`;
      return reply.code(201).send({ code, link: linkFor(kind, code) ?? null, startCommand });
    },
  );

  api.get(
    '/unmatched',
    {
      schema: {
        summary:
          'Inbound messages on no ticket: unknown senders, automatic mail, messages awaiting a ticket choice',
        querystring: paging,
        response: {
          200: json(
            'Messages, newest first',
            z.object({ messages: z.array(messageView.extend({ reason: z.string().nullable() })) }),
          ),
          ...errors(),
        },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const rows = await listUnmatched(core, { limit, offset });
      return { messages: rows.map((m) => ({ ...toMessageView(m, [], []), reason: m.dispositionReason })) };
    },
  );

  api.get(
    '/alerts',
    {
      schema: {
        summary:
          'What technicians must see: failed deliveries, bounces, unreachable customers, unmatched mail',
        querystring: paging,
        response: {
          200: json('Alerts, newest first', z.object({ alerts: z.array(alertView) })),
          ...errors(),
        },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const rows = await listAlerts(core, { limit, offset });
      return { alerts: rows };
    },
  );

  registerDeliveryRoutes(api, core);
  registerUnmatchedRoutes(api, core);
  registerConsentRoutes(api, core);
  registerBillingRoutes(api, core);
  registerClosureRoutes(server, core);
  registerProposalRoutes(server, core);
  registerErasureRoutes(server, core);
  registerSettingsRoutes(server, core);
}
