import type { Tx } from '../../db/database.js';
import { cancelDelivery as cancelDeliveryRow } from '../../db/sql/cancel-delivery.js';
import { claimDeliveries as claimDeliveryRows } from '../../db/sql/claim-deliveries.js';
import { claimDelivery as claimDeliveryRow } from '../../db/sql/claim-delivery.js';
import { completeDelivery as completeDeliveryRow } from '../../db/sql/complete-delivery.js';
import type { ClaimedDeliveryRow } from '../../db/sql/delivery-shared.js';
import { failBouncedDelivery as failBouncedDeliveryRow } from '../../db/sql/fail-bounced-delivery.js';
import { failDelivery as failDeliveryRow } from '../../db/sql/fail-delivery.js';
import type { DeliveryJobInsertSql } from '../../db/sql/insert-outbound-delivery.js';
import { releaseClaim as releaseClaimRow } from '../../db/sql/release-claim.js';
import { releaseLeases } from '../../db/sql/release-leases.js';
import { retryDelivery as retryDeliveryRow } from '../../db/sql/retry-delivery.js';
import type { CoreContext } from '../core-context.js';

/** The job insert of the context's queue, for statements that wake a delivery. */
function jobInsert(ctx: CoreContext): DeliveryJobInsertSql {
  return (source) => ctx.jobs.deliveryJobInsertSql(source);
}

/** The delivery row as the outbox hands it to a sender. */
export interface ClaimedDelivery {
  id: bigint;
  messageId: bigint;
  channel: string;
  recipientKind: string;
  recipientAddress: string;
  payload: unknown;
  /** Including this one. */
  attempts: number;
  createdAt: Date;
  /** The row was `sending` under a lease that ran out: an earlier attempt may have gone out. */
  leaseExpired: boolean;
}

export type ClaimOutcome = { claimed: true; delivery: ClaimedDelivery } | { claimed: false };

/**
 * Takes a due delivery for sending: one atomic update moves it to `sending` with a lease until
 * `now + leaseMs` (stored in `next_attempt_at`). A row already leased, finished, not yet due, or
 * behind an older pending delivery to the same recipient is left alone, so at most one send is
 * in flight per delivery whatever the job queue does. An expired lease is claimed again and
 * flagged `leaseExpired` ("maybe sent").
 */
export async function claimDelivery(
  ctx: CoreContext,
  deliveryId: bigint,
  leaseMs: number,
): Promise<ClaimOutcome> {
  const now = ctx.now();
  const row = await claimDeliveryRow(ctx.database.sql, {
    deliveryId,
    now,
    leaseUntil: new Date(now.getTime() + leaseMs),
  });
  if (row) return { claimed: true, delivery: toClaimed(row) };
  // Not claimable (finished, leased, not due, behind an older one): the common case of a
  // re-delivered job, answered without a second query.
  return { claimed: false };
}

/**
 * {@link claimDelivery} for a batch of jobs in one statement: returns the deliveries claimed, in
 * id order; the others are left alone for the same reasons. Two of one recipient in the batch:
 * only the older can be claimed (the statement sees it pending). Rows are locked in id order,
 * so two workers claiming overlapping batches cannot deadlock.
 */
export async function claimDeliveries(
  ctx: CoreContext,
  deliveryIds: readonly bigint[],
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  if (deliveryIds.length === 0) return [];
  const now = ctx.now();
  const rows = await claimDeliveryRows(ctx.database.sql, {
    deliveryIds,
    now,
    leaseUntil: new Date(now.getTime() + leaseMs),
  });
  return rows.map(toClaimed).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function toClaimed(row: ClaimedDeliveryRow): ClaimedDelivery {
  return {
    id: BigInt(row.id),
    messageId: BigInt(row.message_id),
    channel: row.channel,
    recipientKind: row.recipient_kind,
    recipientAddress: row.recipient_address,
    payload: row.payload,
    attempts: Number(row.attempts),
    createdAt: new Date(row.created_at),
    leaseExpired: row.previous === 'sending',
  };
}

/** What finishing a delivery did: whether this call changed the row, and the next one it woke. */
export interface Finished {
  /** False when the row was already finished (a second send happened) or the claim was lost. */
  recorded: boolean;
  /** The next pending delivery to the same recipient, now given a job: the caller may send it at once. */
  next?: bigint;
  /** The next delivery to the same recipient, already claimed for the caller (see `completeDelivery`). */
  claimedNext?: ClaimedDelivery;
}

/**
 * The adapter accepted the message: `sent`, with its external ids. A success is recorded even
 * when another claim took the row meanwhile (it is the truth). The next delivery to the same
 * recipient, which waited behind this one, is in the same statement either claimed for the
 * caller (`chainLeaseMs`: the caller sends it next, under that lease, so it needs no job and
 * no claim of its own; if the caller dies, the lease runs out as for any send) or, without
 * `chainLeaseMs`, given a job. Runs outside a transaction; one statement.
 */
export async function completeDelivery(
  ctx: CoreContext,
  deliveryId: bigint,
  result: { externalId?: string; extraExternalIds?: string[] },
  chainLeaseMs?: number,
): Promise<Finished> {
  const now = ctx.now();
  const row = await completeDeliveryRow(ctx.database.sql, jobInsert(ctx), {
    deliveryId,
    externalId: result.externalId ?? null,
    extraExternalIds: result.extraExternalIds ?? null,
    now,
    chainLeaseUntil: chainLeaseMs === undefined ? null : new Date(now.getTime() + chainLeaseMs),
  });
  const done = finished(row);
  if (chainLeaseMs === undefined) return done;
  // Claimed for the caller, or nothing to go on with (a next one that could not be claimed at
  // that moment has a worker of its own: it is leased, or was sent by its own job meanwhile).
  return { recorded: done.recorded, claimedNext: row?.id ? toClaimed(row as ClaimedDeliveryRow) : undefined };
}

function finished(row: { n: number; next: string | null } | undefined): Finished {
  return { recorded: Number(row?.n ?? 0) === 1, next: row?.next ? BigInt(row.next) : undefined };
}

/**
 * A transient failure: `retrying` until `nextAttemptAt`, with a job due then. Fenced by the claim
 * (`attempts`): a stale worker whose lease was taken over changes nothing. Returns false then.
 */
export async function retryDelivery(
  ctx: CoreContext,
  tx: Tx,
  delivery: ClaimedDelivery,
  reason: string,
  nextAttemptAt: Date,
): Promise<boolean> {
  const retried = await retryDeliveryRow(tx.sql, {
    deliveryId: delivery.id,
    attempts: delivery.attempts,
    reason,
    nextAttemptAt,
  });
  if (!retried) return false;
  // The job runs on the database's clock; the row's time is the core's (the same in production).
  const delayMs = Math.max(0, nextAttemptAt.getTime() - ctx.now().getTime());
  await ctx.jobs.enqueueDeliveryAt(tx, delivery.id.toString(), new Date(Date.now() + delayMs));
  return true;
}

/**
 * Gives back a claim whose send never started (the process is stopping): the row is due again at
 * once with its attempt undone and a job, so nothing treats it as "maybe sent" and no lease has to
 * run out first. Fenced by the claim like {@link retryDelivery}.
 */
export async function releaseClaim(ctx: CoreContext, delivery: ClaimedDelivery): Promise<void> {
  await ctx.database.transaction(async (tx) => {
    const released = await releaseClaimRow(tx.sql, {
      deliveryId: delivery.id,
      attempts: delivery.attempts,
      now: ctx.now(),
    });
    if (released) await ctx.jobs.enqueueDeliveryAt(tx, delivery.id.toString(), new Date());
  });
}

/**
 * Failed for good (permanent error or too old to retry); fenced by the claim like
 * {@link retryDelivery}. Wakes the next delivery to the same recipient (see {@link Finished}).
 */
export async function failDelivery(
  ctx: CoreContext,
  tx: Tx,
  delivery: ClaimedDelivery,
  reason: string,
): Promise<Finished> {
  const row = await failDeliveryRow(tx.sql, jobInsert(ctx), {
    deliveryId: delivery.id,
    attempts: delivery.attempts,
    reason,
    now: ctx.now(),
  });
  return finished(row);
}

/**
 * A bounce proved the message did not arrive: the delivery becomes `failed` whatever its state
 * (a bounce can overtake our own "sent"). For the bounce code (email); returns the row's message
 * id and recipient, or undefined when no such delivery exists or it was cancelled/suppressed.
 */
export async function failBouncedDelivery(
  tx: Tx,
  deliveryId: bigint,
  reason: string,
): Promise<{ id: bigint; messageId: bigint; recipient: string } | undefined> {
  const row = await failBouncedDeliveryRow(tx.sql, { deliveryId, reason });
  return row
    ? { id: BigInt(row.id), messageId: BigInt(row.message_id), recipient: row.recipient_address }
    : undefined;
}

/** Nothing left to send it for: a pending delivery becomes `cancelled`. Returns false if it was not pending. */
export async function cancelDelivery(tx: Tx, deliveryId: bigint, reason: string): Promise<boolean> {
  return cancelDeliveryRow(tx.sql, { deliveryId, reason });
}

/**
 * Embedded store only, at start: the data-dir lock proves no other process runs, so every lease
 * belongs to a process that died. Its rows become claimable now (as "maybe sent").
 */
export async function releaseDeadLeases(ctx: CoreContext): Promise<number> {
  return releaseLeases(ctx.database.sql, ctx.now());
}
