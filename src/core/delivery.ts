import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { deliveries, messages, tickets } from '../db/schema.js';
import { alertStaff, audit } from './audit.js';
import type { InboundMessage } from './channel.js';
import { failBouncedDelivery } from './outbox/outbox.js';

// The delivery worker and the unreachable-recipient rule live in ./outbox/; re-exported here
// for the modules that import them from this file.
export { markIdentityUnreachable } from './outbox/unreachable.js';
export {
  type AdapterLookup,
  backoffMs,
  type DeliveryOutcome,
  deliver,
  type OutboxEvents,
  type OutboxRuntime,
} from './outbox/worker.js';

/** A bounce names our Message-IDs: those deliveries failed, and the technicians are told. */
export async function markBouncedDeliveries(tx: Tx, message: InboundMessage): Promise<void> {
  const ids = message.bouncedExternalIds ?? [];
  if (ids.length === 0) return;
  const matching = await tx.db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(and(eq(deliveries.channel, message.channel), inArray(deliveries.externalId, ids)));
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
