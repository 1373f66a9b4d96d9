import { and, asc, eq, ilike, inArray, isNull, or } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { customers, identities, messages } from '../db/schema.js';
import { audit } from './audit.js';
import type { CoreContext } from './core-context.js';
import { ConflictError, NotFoundError } from './errors.js';
import { normaliseAddress } from './threading.js';
import { openTicket } from './tickets.js';

/**
 * Staff deal with unmatched messages (inbound, on no ticket: unknown senders, suspended customers,
 * #25): link one to a customer (its sender becomes one of the customer's verified identities, so
 * their next messages match), then open a ticket with it. Used by the REST API and the dashboard.
 */

const LINKABLE = new Set(['email', 'telegram', 'slack']);

async function lockUnmatched(tx: Tx, id: bigint) {
  const [message] = await tx.db
    .select()
    .from(messages)
    .where(and(eq(messages.id, id), eq(messages.direction, 'inbound'), isNull(messages.ticketId)))
    .for('update');
  if (!message || message.disposition === 'album_part')
    throw new NotFoundError('unmatched message', id.toString());
  return message;
}

/**
 * Links an unmatched message to a customer: the message is theirs, and its sender (email,
 * Telegram or Slack) is added to the customer's identities as verified (staff vouched for it). A
 * sender that is another customer's identity is a conflict. `actor`: `staff:<email>` or `api`.
 */
export async function linkUnmatchedMessage(
  ctx: CoreContext,
  messageId: bigint,
  customerId: bigint,
  actor: string,
): Promise<void> {
  await ctx.database.transaction(async (tx) => {
    const message = await lockUnmatched(tx, messageId);
    const [customer] = await tx.db
      .select({ id: customers.id })
      .from(customers)
      .where(eq(customers.id, customerId));
    if (!customer) throw new NotFoundError('customer', customerId.toString());
    const kind = message.senderKind;
    let identityAdded = false;
    if (kind && message.senderAddress && LINKABLE.has(kind)) {
      const address = normaliseAddress(kind, message.senderAddress);
      const [taken] = await tx.db
        .select()
        .from(identities)
        .where(and(eq(identities.kind, kind), eq(identities.address, address)));
      if (taken && taken.customerId !== customerId)
        throw new ConflictError(`${kind} identity ${address} belongs to another customer`, {
          field: 'customerId',
        });
      if (!taken) {
        await tx.db.insert(identities).values({
          customerId,
          kind,
          address,
          displayName: message.senderName,
          verified: true,
        });
        identityAdded = true;
      } else if (!taken.verified) {
        await tx.db.update(identities).set({ verified: true }).where(eq(identities.id, taken.id));
      }
    }
    await tx.db.update(messages).set({ customerId }).where(eq(messages.id, messageId));
    await audit(tx, {
      actor,
      action: 'unmatched.linked',
      customerId,
      data: { messageId: messageId.toString(), identityAdded },
    });
  });
}

/**
 * Opens a ticket with an unmatched message already linked to a customer (see
 * {@link linkUnmatchedMessage}); the T2 clock starts at the message's arrival (or the customer's
 * activation). Returns the new ticket's number.
 */
export async function openTicketFromUnmatched(
  ctx: CoreContext,
  messageId: bigint,
  actor: string,
): Promise<number> {
  const number = await ctx.database.transaction(async (tx) => {
    const message = await lockUnmatched(tx, messageId);
    if (!message.customerId)
      throw new ConflictError(`message ${messageId} is not linked to a customer`, { field: 'customerId' });
    const [customer] = await tx.db.select().from(customers).where(eq(customers.id, message.customerId));
    const own = await tx.db
      .select()
      .from(identities)
      .where(eq(identities.customerId, message.customerId))
      .orderBy(asc(identities.id));
    const sender =
      message.senderKind && message.senderAddress
        ? normaliseAddress(message.senderKind, message.senderAddress)
        : undefined;
    const identity = own.find((i) => i.kind === message.senderKind && i.address === sender) ?? own[0];
    if (!customer || !identity)
      throw new ConflictError(`customer ${message.customerId} has no identity to answer`, {
        field: 'customerId',
      });
    const firstLine = message.newText.trim().split('\n')[0]?.slice(0, 120) ?? '';
    const ticket = await openTicket(ctx, tx, {
      customer,
      identity,
      subject: message.subject?.trim() || firstLine || '(senza oggetto / no subject)',
      channel: message.channel as Parameters<typeof openTicket>[2]['channel'],
      arrivedAt: message.receivedAt ?? message.createdAt,
    });
    await tx.db
      .update(messages)
      .set({ ticketId: ticket.id, disposition: 'ticket' })
      .where(eq(messages.id, messageId));
    await audit(tx, {
      actor,
      action: 'unmatched.ticket_opened',
      ticketId: ticket.id,
      customerId: customer.id,
      data: { messageId: messageId.toString() },
    });
    return ticket.number;
  });
  ctx.jobs.wake();
  return number;
}

/** `%` and `_` taken literally in a LIKE pattern. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Customers whose name or one of whose identities (email, Telegram, Slack) contains `query`
 * (case-insensitive), for staff picking one; at most `limit`, by name.
 */
export async function findCustomersByText(
  ctx: CoreContext,
  query: string,
  limit = 20,
): Promise<Array<{ id: bigint; name: string; status: string; addresses: string[] }>> {
  const q = query.trim();
  if (!q) return [];
  const pattern = `%${likeLiteral(q)}%`;
  const rows = await ctx.database.db
    .selectDistinct({ id: customers.id, name: customers.name, status: customers.status })
    .from(customers)
    .leftJoin(identities, eq(identities.customerId, customers.id))
    .where(or(ilike(customers.name, pattern), ilike(identities.address, pattern)))
    .orderBy(asc(customers.name), asc(customers.id))
    .limit(limit);
  if (rows.length === 0) return [];
  const ids = await ctx.database.db
    .select({ customerId: identities.customerId, address: identities.address })
    .from(identities)
    .where(
      inArray(
        identities.customerId,
        rows.map((r) => r.id),
      ),
    );
  return rows.map((r) => ({
    ...r,
    addresses: [...new Set(ids.filter((i) => i.customerId === r.id).map((i) => i.address))],
  }));
}

/** Names of customers by id (for showing whom a message is linked to). */
export async function customerNames(ctx: CoreContext, ids: bigint[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.database.db
    .select({ id: customers.id, name: customers.name })
    .from(customers)
    .where(inArray(customers.id, ids));
  return new Map(rows.map((r) => [r.id.toString(), r.name]));
}
