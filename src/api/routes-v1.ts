import { and, desc, eq, inArray, isNull, type SQL } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { createLinkCode } from '../core/chat-operations.js';
import type { CoreContext } from '../core/core-context.js';
import { activateCustomer, createCustomer, listCustomers } from '../core/customers.js';
import { NotFoundError } from '../core/errors.js';
import { getTicketByNumber, listTicketMessages, postTechnicianMessage, setStatus } from '../core/tickets.js';
import { attachments, deliveries, messages, staffAlerts, tickets } from '../db/schema.js';
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

/** Message as the API shows it: no raw bytes, attachments as metadata. */
function messageView(
  message: typeof messages.$inferSelect,
  files: Array<typeof attachments.$inferSelect>,
  sends: Array<typeof deliveries.$inferSelect>,
) {
  return {
    id: message.id,
    direction: message.direction,
    disposition: message.disposition,
    channel: message.channel,
    externalId: message.externalId,
    sender: message.senderAddress ? { kind: message.senderKind, address: message.senderAddress } : undefined,
    author: message.author,
    subject: message.subject,
    newText: message.newText,
    fullText: message.fullText,
    receivedAt: message.receivedAt,
    createdAt: message.createdAt,
    attachments: files.map((a) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      kept: a.content !== null,
      omittedReason: a.omittedReason,
    })),
    deliveries: sends.map((d) => ({
      id: d.id,
      channel: d.channel,
      recipient: d.recipientAddress,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      sentAt: d.sentAt,
    })),
  };
}

/** How a channel turns a one-time link code into something a customer can open (a deep link). */
export type LinkBuilder = (kind: 'telegram' | 'slack', code: string) => string | undefined;

export function registerV1Routes(
  api: FastifyInstance,
  core: CoreContext,
  linkFor: LinkBuilder = () => undefined,
): void {
  const db = core.database.db;
  const tx = { db, sql: core.database.sql };

  api.get('/tickets', async (request) => {
    const query = ticketListQuery.parse(request.query);
    const filters: SQL[] = [];
    if (query.status) filters.push(eq(tickets.status, query.status));
    if (query.customerId) filters.push(eq(tickets.customerId, BigInt(query.customerId)));
    const rows = await db
      .select()
      .from(tickets)
      .where(and(...filters))
      .orderBy(desc(tickets.number))
      .limit(query.limit)
      .offset(query.offset);
    return { tickets: rows };
  });

  api.get('/tickets/:number', async (request) => {
    const { number } = ticketNumberParams.parse(request.params);
    const ticket = await getTicketByNumber(tx, number);
    const rows = await listTicketMessages(tx, ticket.id);
    const ids = rows.map((m) => m.id);
    const files = ids.length
      ? await db.select().from(attachments).where(inArray(attachments.messageId, ids))
      : [];
    const sends = ids.length
      ? await db.select().from(deliveries).where(inArray(deliveries.messageId, ids))
      : [];
    return {
      ticket,
      messages: rows.map((m) =>
        messageView(
          m,
          files.filter((f) => f.messageId === m.id),
          sends.filter((d) => d.messageId === m.id),
        ),
      ),
    };
  });

  api.post('/tickets/:number/messages', async (request, reply) => {
    const { number } = ticketNumberParams.parse(request.params);
    const body = technicianMessageBody.parse(request.body);
    const result = await postTechnicianMessage(core, { ticketNumber: number, ...body });
    return reply.code(201).send({ messageId: result.messageId, deliveryId: result.deliveryId });
  });

  api.post('/tickets/:number/status', async (request) => {
    const { number } = ticketNumberParams.parse(request.params);
    const body = statusChangeBody.parse(request.body);
    await core.database.transaction(async (t) => {
      const ticket = await getTicketByNumber(t, number);
      await setStatus(core, t, ticket, body.status, `technician:${body.author}`);
    });
    return { ticket: await getTicketByNumber(tx, number) };
  });

  api.get('/customers', async () => ({ customers: await listCustomers(core) }));

  api.post('/customers', async (request, reply) => {
    const body = newCustomerBody.parse(request.body);
    const customer = await createCustomer(core, body, 'api');
    return reply.code(201).send({ customer });
  });

  api.post('/customers/:id/activate', async (request) => {
    const { id } = customerIdParams.parse(request.params);
    await activateCustomer(core, BigInt(id), 'api');
    const [customer] = await listCustomers(core, BigInt(id));
    return { customer };
  });

  api.post('/customers/:id/link-code', async (request, reply) => {
    const { id } = customerIdParams.parse(request.params);
    const { kind } = linkCodeBody.parse(request.body ?? {});
    const [customer] = await listCustomers(core, BigInt(id));
    if (!customer) throw new NotFoundError('customer', id);
    const code = await createLinkCode(core, customer.id, kind);
    // What the customer sends the bot: Telegram `/start <code>` (or the deep link), Slack `link <code>`.
    const startCommand = kind === 'slack' ? `link ${code}` : `/start ${code}`;
    return reply.code(201).send({ code, link: linkFor(kind, code) ?? null, startCommand });
  });

  api.get('/unmatched', async (request) => {
    const query = paging.parse(request.query);
    const rows = await db
      .select()
      .from(messages)
      .where(and(isNull(messages.ticketId), eq(messages.direction, 'inbound')))
      .orderBy(desc(messages.id))
      .limit(query.limit)
      .offset(query.offset);
    return { messages: rows.map((m) => ({ ...messageView(m, [], []), reason: m.dispositionReason })) };
  });

  api.get('/alerts', async (request) => {
    const query = paging.parse(request.query);
    const rows = await db
      .select()
      .from(staffAlerts)
      .orderBy(desc(staffAlerts.id))
      .limit(query.limit)
      .offset(query.offset);
    return { alerts: rows };
  });
}
