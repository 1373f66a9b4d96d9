import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { deliveries, messages } from '../../db/schema.js';
import { attachmentContentsById } from '../../db/sql/attachment-contents-by-id.js';
import { alertStaff } from '../audit.js';
import type {
  ChannelAdapter,
  ChannelName,
  IdentityKind,
  OutboundAttachment,
  OutboundMessage,
  SendResult,
} from '../channel.js';
import type { CoreContext } from '../core-context.js';
import { DeliveryError, errorSummary } from '../errors.js';
import { ChannelHealth } from './channel-health.js';
import {
  type ClaimedDelivery,
  claimDeliveries,
  claimDelivery,
  completeDelivery,
  type Finished,
  failDelivery,
  releaseClaim,
  retryDelivery,
} from './outbox.js';
import { markIdentityUnreachable } from './unreachable.js';

const MAX_BACKOFF_MS = 3600_000;

/** Exponential back-off with ±20% jitter so many failed sends do not retry in lock-step. */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exact = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exact * (0.8 + 0.4 * random()));
}

export type AdapterLookup = (channel: ChannelName) => ChannelAdapter | undefined;

/** What the outbox reports after a delivery's final status committed (e.g. for the Slack relay). */
export interface DeliveryOutcome {
  deliveryId: bigint;
  messageId: bigint;
  channel: string;
  recipient: { kind: string; address: string };
  status: 'sent' | 'failed';
  /** Why it failed, for `failed`. */
  reason?: string;
  externalId?: string;
}

/** Hooks called after the change committed; a hook that throws is logged and changes nothing. */
export interface OutboxEvents {
  delivered?(outcome: DeliveryOutcome): void | Promise<void>;
  failedForGood?(outcome: DeliveryOutcome): void | Promise<void>;
}

/** What a delivery worker shares across deliveries. */
export interface OutboxRuntime {
  health: ChannelHealth;
  events?: OutboxEvents;
  /** Where warnings go (an expired lease, a send whose "sent" could not be recorded). */
  warn?: (data: Record<string, unknown>, message: string) => void;
  /** True once the process is stopping: a chain starts no further send (see deliverChain). */
  stopping?: () => boolean;
}

/**
 * Delivers one delivery through its channel adapter. The outbox claims the row first (a lease),
 * so a re-delivered job, a second worker or a restart cannot send it twice while one send is in
 * flight; a row that is finished, leased, not due or behind an older delivery to the same
 * recipient is left alone. Transient errors are retried with back-off until the delivery is
 * `deliveryMaxAgeMs` old; permanent ones mark it failed. Returns the delay until a retry, if any.
 */
export async function deliver(
  ctx: CoreContext,
  adapters: AdapterLookup,
  deliveryId: string,
  runtime: OutboxRuntime = { health: new ChannelHealth() },
): Promise<number | undefined> {
  return deliverChain(ctx, adapters, BigInt(deliveryId), runtime);
}

async function deliverChain(
  ctx: CoreContext,
  adapters: AdapterLookup,
  first: bigint | ClaimedDelivery,
  runtime: OutboxRuntime,
): Promise<number | undefined> {
  let next: bigint | ClaimedDelivery | undefined = first;
  let retryIn: number | undefined;
  // The next delivery to the same recipient waited behind this one: send it now rather than a
  // poll later. A success claims it in the statement that records the send (no job, no claim of
  // its own); a permanent failure gives it a job and this loop claims it. Bounded, so one busy
  // recipient does not hold a worker: the last one of a run wakes the next with a job instead.
  for (let chained = 0; next !== undefined && chained < MAX_CHAINED; chained++) {
    if (chained > 0 && runtime.stopping?.()) {
      // The store closes soon after: a send started now could not be recorded and would go out
      // twice after the restart. A delivery claimed for this chain is given back; a bare id has
      // its own job already.
      if (typeof next !== 'bigint') await releaseClaim(ctx, next);
      break;
    }
    const outcome = await deliverOne(ctx, adapters, next, runtime, chained < MAX_CHAINED - 1);
    retryIn = outcome.retryIn ?? retryIn;
    next = outcome.next;
  }
  return retryIn;
}

/**
 * {@link deliver} for a batch of jobs: one statement claims every delivery of the batch that can
 * be sent now (instead of a claim per job, most of them refused when several messages to one
 * recipient arrive together: only the oldest can go), then each claimed one is sent, with the
 * recipient's later ones chained after it as in `deliver`. Returns each job's retry delay, if any.
 */
export async function deliverBatch(
  ctx: CoreContext,
  adapters: AdapterLookup,
  deliveryIds: readonly string[],
  runtime: OutboxRuntime = { health: new ChannelHealth() },
): Promise<Array<number | undefined>> {
  const claimed = await claimDeliveries(ctx, deliveryIds.map(BigInt), ctx.settings.deliveryLeaseMs);
  // Each chain records its own outcome; one that throws (say the database went away) leaves its
  // row leased for the sweeper and must not cut the others short.
  const results = await Promise.allSettled(
    claimed.map((delivery) => deliverChain(ctx, adapters, delivery, runtime)),
  );
  return results.map((result, i) => {
    if (result.status === 'fulfilled') return result.value;
    runtime.warn?.(
      { deliveryId: claimed[i]!.id.toString(), reason: errorSummary(result.reason) },
      'delivery failed unexpectedly; it stays leased and is taken up again after the lease',
    );
    return undefined;
  });
}

/** Deliveries one job sends back to back for one recipient, at most. */
const MAX_CHAINED = 20;

interface Outcome {
  retryIn?: number;
  /** Go on with this one: claimed already, or to be claimed (it has a job too). */
  next?: bigint | ClaimedDelivery;
}

async function deliverOne(
  ctx: CoreContext,
  adapters: AdapterLookup,
  target: bigint | ClaimedDelivery,
  runtime: OutboxRuntime,
  mayChain: boolean,
): Promise<Outcome> {
  let delivery: ClaimedDelivery;
  if (typeof target === 'bigint') {
    const claim = await claimDelivery(ctx, target, ctx.settings.deliveryLeaseMs);
    if (!claim.claimed) return {};
    delivery = claim.delivery;
  } else {
    delivery = target;
  }
  const deliveryId = delivery.id;
  if (delivery.leaseExpired) {
    runtime.health.expiredLeases++;
    runtime.warn?.(
      { deliveryId: deliveryId.toString(), channel: delivery.channel, attempts: delivery.attempts },
      'delivery lease expired: an earlier attempt may have been sent; sending again',
    );
  }
  const adapter = adapters(delivery.channel as ChannelName);
  const payload = delivery.payload as Omit<OutboundMessage, 'deliveryId'>;
  let result: SendResult;
  try {
    if (!adapter) throw new DeliveryError('transient', `the ${delivery.channel} channel is not running`);
    const attachments = payload.attachments?.length
      ? await attachmentContents(ctx, payload.attachments)
      : undefined;
    result = await withDeadline(
      adapter.send({
        ...payload,
        ...(attachments ? { attachments } : {}),
        deliveryId: deliveryId.toString(),
        maybeSent: delivery.leaseExpired || undefined,
      }),
      ctx.settings.deliveryLeaseMs / 2,
    );
  } catch (error) {
    const failure =
      error instanceof DeliveryError
        ? error
        : new DeliveryError('transient', error instanceof Error ? error.message : String(error), {
            cause: error,
          });
    return recordFailure(ctx, runtime, delivery, failure);
  }
  // Sent: from here on a failure to record it must not count as a failed send (that would send
  // it again at once). Left `sending`, the row is taken up again only after its lease.
  return { next: await recordSent(ctx, runtime, delivery, result, mayChain) };
}

/**
 * The stored files of a delivery's payload, with their content: read at each attempt, so the
 * payload stays small and a retry after a restart sends the same files. A file no longer stored
 * (a customer's data erased) is left out.
 */
async function attachmentContents(
  ctx: CoreContext,
  files: OutboundAttachment[],
): Promise<OutboundAttachment[]> {
  const rows = await attachmentContentsById(
    ctx.database.sql,
    files.flatMap((file) => (file.id ? [file.id] : [])),
  );
  const content = new Map(rows.map((row) => [row.id, row.content]));
  return files.flatMap((file): OutboundAttachment[] => {
    if (file.contentBase64 !== undefined) {
      const { contentBase64, ...meta } = file;
      return [{ ...meta, content: Buffer.from(contentBase64, 'base64') }];
    }
    const bytes = file.id ? content.get(file.id) : undefined;
    return bytes ? [{ ...file, content: bytes }] : [];
  });
}

/**
 * Adapters time out their own requests; this is the backstop for one that does not, so no send
 * outlives its lease. What the abandoned send still does is not recorded: the retry may send it
 * again (email with the same Message-ID).
 */
function withDeadline<T>(send: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(new DeliveryError('transient', `the send did not finish within ${Math.round(ms / 1000)} s`)),
      ms,
    );
  });
  return Promise.race([send, deadline]).finally(() => clearTimeout(timer));
}

async function recordSent(
  ctx: CoreContext,
  runtime: OutboxRuntime,
  delivery: ClaimedDelivery,
  result: SendResult,
  mayChain: boolean,
): Promise<ClaimedDelivery | undefined> {
  let finished: Finished | undefined;
  for (let attempt = 1; finished === undefined; attempt++) {
    try {
      finished = await completeDelivery(
        ctx,
        delivery.id,
        result,
        mayChain ? ctx.settings.deliveryLeaseMs : undefined,
      );
    } catch (error) {
      if (attempt >= 3) {
        runtime.warn?.(
          { deliveryId: delivery.id.toString(), reason: errorSummary(error) },
          'delivery sent but not recorded; it stays leased and is sent again after the lease',
        );
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
  if (!finished.recorded) {
    runtime.warn?.(
      { deliveryId: delivery.id.toString() },
      'delivery was already finished when this send completed',
    );
  }
  const downSince = runtime.health.succeeded(delivery.channel);
  if (downSince) {
    await ctx.database.transaction((tx) =>
      alertStaff(tx, {
        kind: 'channel_recovered',
        text: `The ${delivery.channel} channel delivers again (down since ${downSince.toISOString()})`,
        data: { channel: delivery.channel },
      }),
    );
  }
  await emit(runtime, 'delivered', {
    deliveryId: delivery.id,
    messageId: delivery.messageId,
    channel: delivery.channel,
    recipient: { kind: delivery.recipientKind, address: delivery.recipientAddress },
    status: 'sent',
    externalId: result.externalId,
  });
  return finished.claimedNext;
}

async function emit(runtime: OutboxRuntime, event: keyof OutboxEvents, outcome: DeliveryOutcome) {
  try {
    await runtime.events?.[event]?.(outcome);
  } catch (error) {
    runtime.warn?.({ event, reason: errorSummary(error) }, 'outbox event handler failed');
  }
}

async function recordFailure(
  ctx: CoreContext,
  runtime: OutboxRuntime,
  delivery: ClaimedDelivery,
  failure: DeliveryError,
): Promise<Outcome> {
  const now = ctx.now();
  const tooOld = now.getTime() - delivery.createdAt.getTime() >= ctx.settings.deliveryMaxAgeMs;
  const permanent = failure.kind === 'permanent' || tooOld;
  const delay = permanent
    ? undefined
    : (failure.options.retryAfterMs ?? backoffMs(delivery.attempts, ctx.settings.deliveryRetryBaseMs));
  const reason =
    tooOld && failure.kind === 'transient'
      ? `${failure.reason} (gave up after ${Math.round(ctx.settings.deliveryMaxAgeMs / 3600_000)} h of retries)`
      : failure.reason;
  const outageStarts = !permanent && runtime.health.failed(delivery.channel, failure.reason, now);
  const changed = await ctx.database.transaction(async (tx) => {
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
    if (outageStarts) {
      await alertStaff(tx, {
        kind: 'channel_down',
        text: `The ${delivery.channel} channel is failing (${failure.reason}); messages wait and are retried for up to ${Math.round(ctx.settings.deliveryMaxAgeMs / 3600_000)} h`,
        data: { channel: delivery.channel },
      });
    }
    if (!permanent) {
      const retrying = await retryDelivery(
        ctx,
        tx,
        delivery,
        failure.reason,
        new Date(now.getTime() + delay!),
      );
      return { recorded: retrying };
    }
    const failed = await failDelivery(ctx, tx, delivery, reason);
    if (!failed.recorded) return failed;
    // During an outage its one alert stands for the messages it makes expire.
    if (!tooOld || !runtime.health.outage(delivery.channel)) {
      await alertStaff(tx, {
        kind: 'delivery_failed',
        ticketId: ticketId ?? undefined,
        text: `A message to ${delivery.recipientKind} ${delivery.recipientAddress} could not be delivered: ${reason}`,
        data: { deliveryId: delivery.id.toString(), attempts: delivery.attempts },
      });
    }
    return failed;
  });
  if (permanent && changed.recorded) {
    await emit(runtime, 'failedForGood', {
      deliveryId: delivery.id,
      messageId: delivery.messageId,
      channel: delivery.channel,
      recipient: { kind: delivery.recipientKind, address: delivery.recipientAddress },
      status: 'failed',
      reason,
    });
  }
  return changed.recorded ? { retryIn: delay, next: changed.next } : {};
}

async function ticketOf(tx: Tx, messageId: bigint): Promise<bigint | null> {
  const [row] = await tx.db
    .select({ ticketId: messages.ticketId })
    .from(messages)
    .where(eq(messages.id, messageId));
  return row?.ticketId ?? null;
}
