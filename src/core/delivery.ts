import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { deliveries, messages, tickets } from '../db/schema.js';
import { alertStaff, audit } from './audit.js';
import type { InboundMessage } from './channel.js';
import { failBouncedDelivery } from './outbox/outbox.js';
import { verifyReplyToken } from './reply-token.js';

// The delivery worker and the unreachable-recipient rule live in ./outbox/; re-exported here
// for the modules that import them from this file.
export { markIdentityUnreachable } from './outbox/unreachable.js';
export {
  type AdapterLookup,
  backoffMs,
  type DeliveryOutcome,
  deliver,
  deliverBatch,
  type OutboxEvents,
  type OutboxRuntime,
} from './outbox/worker.js';

/** Whether two domains are the same or one is a subdomain of the other (`mx.cliente.it`, `cliente.it`). */
function sameOrganisationDomain(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

/**
 * A bounce names our Message-IDs: those deliveries failed, and the technicians are told. Only a
 * delivery the bounce can be about is marked (issue 16): its recipient's domain is a domain the
 * bounce names (a failed recipient, the returned mail's To, the bounce's sender) or the bounce
 * carries the genuine reply token of its ticket. A mail that merely quotes one of our Message-IDs
 * marks nothing.
 *
 * @param replyTokenSecret the HMAC secret the reply tokens are checked with
 */
export async function markBouncedDeliveries(
  tx: Tx,
  message: InboundMessage,
  replyTokenSecret: string,
): Promise<void> {
  const ids = message.bouncedExternalIds ?? [];
  const evidence = message.bounceEvidence ?? { recipientDomains: [], replyTokens: [] };
  const tokenTickets = new Set(
    evidence.replyTokens
      .map((token) => verifyReplyToken(replyTokenSecret, token))
      .filter((n): n is number => n !== undefined),
  );
  const candidates = await tx.db
    .select({ id: deliveries.id, recipient: deliveries.recipientAddress, ticketNumber: tickets.number })
    .from(deliveries)
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .leftJoin(tickets, eq(tickets.id, messages.ticketId))
    .where(and(eq(deliveries.channel, message.channel), inArray(deliveries.externalId, ids)));
  const matching = candidates.filter((row) => {
    if (row.ticketNumber !== null && tokenTickets.has(row.ticketNumber)) return true;
    const domain = row.recipient.slice(row.recipient.lastIndexOf('@') + 1).toLowerCase();
    return evidence.recipientDomains.some((named) => sameOrganisationDomain(domain, named.toLowerCase()));
  });
  const reason = `bounced: ${message.subject ?? message.automated?.reason ?? ''}`.trim();
  const bounced = [];
  for (const { id } of matching) {
    const row = await failBouncedDelivery(tx, id, reason);
    if (row) bounced.push(row);
  }
  for (const row of bounced) {
    const [ticket] = await tx.db
      .select({ id: tickets.id, number: tickets.number })
      .from(messages)
      .innerJoin(tickets, eq(tickets.id, messages.ticketId))
      .where(eq(messages.id, row.messageId));
    await alertStaff(tx, {
      kind: 'delivery_bounced',
      ticketId: ticket?.id,
      text: `${ticket ? `Ticket #${ticket.number}: ` : ''}our message to ${row.recipient} bounced`,
      data: { deliveryId: row.id.toString(), bounceExternalId: message.externalId },
    });
    await audit(tx, {
      actor: 'system',
      action: 'delivery.bounced',
      ticketId: ticket?.id,
      data: { deliveryId: row.id.toString() },
    });
  }
}
