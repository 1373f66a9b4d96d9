import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { deliveries, identities, messages, tickets } from '../db/schema.js';
import { alertStaff, audit } from './audit.js';
import type {
  ChannelAdapter,
  ChannelName,
  IdentityKind,
  InboundMessage,
  OutboundMessage,
} from './channel.js';
import type { CoreContext, DeliverySettled } from './core-context.js';
import { DeliveryError } from './errors.js';
import { normaliseAddress } from './threading.js';

const MAX_BACKOFF_MS = 3600_000;

/** Exponential back-off with ±20% jitter so many failed sends do not retry in lock-step. */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exact = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exact * (0.8 + 0.4 * random()));
}

export type AdapterLookup = (channel: ChannelName) => ChannelAdapter | undefined;

/**
 * Delivers one queued delivery through its channel adapter. Idempotent: a delivery already sent
 * or failed is left alone, so a job run twice sends nothing twice. Transient errors are retried
 * with back-off by a new job; permanent ones (or too many attempts) mark the delivery failed.
 * Returns the delay until a retry, if one was scheduled.
 */
export async function deliver(
  ctx: CoreContext,
  adapters: AdapterLookup,
  deliveryId: string,
): Promise<number | undefined> {
  const id = BigInt(deliveryId);
  const [delivery] = await ctx.database.db.select().from(deliveries).where(eq(deliveries.id, id));
  if (!delivery || !['queued', 'retrying'].includes(delivery.status)) return undefined;
  const adapter = adapters(delivery.channel as ChannelName);
  const attempts = delivery.attempts + 1;
  const payload = delivery.payload as Omit<OutboundMessage, 'deliveryId'>;
  try {
    if (!adapter) throw new DeliveryError('transient', `the ${delivery.channel} channel is not running`);
    const result = await adapter.send({ ...payload, deliveryId });
    await ctx.database.db
      .update(deliveries)
      .set({
        status: 'sent',
        attempts,
        externalId: result.externalId,
        extraExternalIds: result.extraExternalIds ?? null,
        sentAt: ctx.now(),
        lastError: null,
        nextAttemptAt: null,
      })
      .where(eq(deliveries.id, id));
    deliverySettled(ctx, { deliveryId, messageId: delivery.messageId.toString(), status: 'sent' });
    return undefined;
  } catch (error) {
    const failure =
      error instanceof DeliveryError
        ? error
        : new DeliveryError('transient', error instanceof Error ? error.message : String(error), {
            cause: error,
          });
    const delay = await recordFailure(ctx, delivery, attempts, failure);
    if (delay === undefined) {
      deliverySettled(ctx, {
        deliveryId,
        messageId: delivery.messageId.toString(),
        status: 'failed',
        reason: failure.reason,
      });
    }
    return delay;
  }
}

/** The one hook where a delivery's outcome is known (after its commit); see `onDeliverySettled`. */
function deliverySettled(ctx: CoreContext, event: DeliverySettled): void {
  for (const listener of ctx.onDeliverySettled ?? []) listener(event);
}

async function recordFailure(
  ctx: CoreContext,
  delivery: typeof deliveries.$inferSelect,
  attempts: number,
  failure: DeliveryError,
): Promise<number | undefined> {
  const permanent = failure.kind === 'permanent' || attempts >= ctx.settings.deliveryMaxAttempts;
  const delay = permanent
    ? undefined
    : (failure.options.retryAfterMs ?? backoffMs(attempts, ctx.settings.deliveryRetryBaseMs));
  await ctx.database.transaction(async (tx) => {
    const ticketId = await ticketOf(tx, delivery.messageId);
    if (failure.options.migrateToConversation) {
      const payload = delivery.payload as OutboundMessage;
      payload.threading.conversationId = failure.options.migrateToConversation;
      await tx.db.update(deliveries).set({ payload }).where(eq(deliveries.id, delivery.id));
    }
    if (failure.options.recipientUnreachable) {
      await markIdentityUnreachable(
        tx,
        { kind: delivery.recipientKind as IdentityKind, address: delivery.recipientAddress },
        failure.reason,
      );
    }
    if (permanent) {
      await tx.db
        .update(deliveries)
        .set({ status: 'failed', attempts, lastError: failure.reason, nextAttemptAt: null })
        .where(eq(deliveries.id, delivery.id));
      await alertStaff(tx, {
        kind: 'delivery_failed',
        ticketId: ticketId ?? undefined,
        text: `A message to ${delivery.recipientKind} ${delivery.recipientAddress} could not be delivered: ${failure.reason}`,
        data: { deliveryId: delivery.id.toString(), attempts },
      });
      return;
    }
    const next = new Date(ctx.now().getTime() + delay!);
    await tx.db
      .update(deliveries)
      .set({ status: 'retrying', attempts, lastError: failure.reason, nextAttemptAt: next })
      .where(eq(deliveries.id, delivery.id));
    await ctx.jobs.enqueueDelivery(tx, delivery.id.toString(), next);
  });
  return delay;
}

async function ticketOf(tx: Tx, messageId: bigint): Promise<bigint | null> {
  const [row] = await tx.db
    .select({ ticketId: messages.ticketId })
    .from(messages)
    .where(eq(messages.id, messageId));
  return row?.ticketId ?? null;
}

/** A recipient blocked us or no longer exists (Telegram 403): mark it and tell the technicians. */
export async function markIdentityUnreachable(
  tx: Tx,
  identity: { kind: IdentityKind; address: string },
  reason: string,
): Promise<void> {
  const address = normaliseAddress(identity.kind, identity.address);
  const updated = await tx.db
    .update(identities)
    .set({ unreachableAt: new Date(), unreachableReason: reason })
    .where(and(eq(identities.kind, identity.kind), eq(identities.address, address)))
    .returning({ id: identities.id, customerId: identities.customerId });
  await alertStaff(tx, {
    kind: 'identity_unreachable',
    text: `${identity.kind} ${address} cannot be reached any more: ${reason}`,
    data: { customerId: updated[0]?.customerId.toString() },
  });
}

/** A bounce names our Message-IDs: those deliveries failed, and the technicians are told. */
export async function markBouncedDeliveries(tx: Tx, message: InboundMessage): Promise<void> {
  const ids = message.bouncedExternalIds ?? [];
  const bounced = await tx.db
    .update(deliveries)
    .set({
      status: 'failed',
      lastError: `bounced: ${message.subject ?? message.automated?.reason ?? ''}`.trim(),
    })
    .where(and(eq(deliveries.channel, message.channel), inArray(deliveries.externalId, ids)))
    .returning({
      id: deliveries.id,
      messageId: deliveries.messageId,
      recipient: deliveries.recipientAddress,
    });
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
