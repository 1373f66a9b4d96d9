import type { Tx } from '../../db/database.js';
import type { CoreContext } from '../core-context.js';
import { PENDING_SQL } from './status.js';

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

/** Why a delivery cannot be claimed now (diagnostics; one more query). */
export type NotClaimedReason = 'finished' | 'not_due' | 'leased' | 'behind_older' | 'missing';

/** Same recipient on the same channel, created earlier, still pending: sent first (creation order). */
const OLDER_PENDING = `exists (select 1 from deliveries o where o.channel = d.channel
    and o.recipient_kind = d.recipient_kind and o.recipient_address = d.recipient_address
    and o.id < d.id and o.status in (${PENDING_SQL}))`;

const CLAIM_SQL = `update deliveries d set status = 'sending', attempts = d.attempts + 1, next_attempt_at = $3
  from (select id, status as previous from deliveries where id = $1 for update) p
  where d.id = p.id and d.status in (${PENDING_SQL})
    and coalesce(d.next_attempt_at, '-infinity') <= $2
    and not ${OLDER_PENDING}
  returning d.id::text, d.message_id::text, d.channel, d.recipient_kind, d.recipient_address, d.payload,
    d.attempts, d.created_at, p.previous`;

interface ClaimRow {
  id: string;
  message_id: string;
  channel: string;
  recipient_kind: string;
  recipient_address: string;
  payload: unknown;
  attempts: number;
  created_at: Date | string;
  previous: string;
}

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
  const { rows } = await ctx.database.sql.query<ClaimRow>(CLAIM_SQL, [
    deliveryId.toString(),
    now,
    new Date(now.getTime() + leaseMs),
  ]);
  const row = rows[0];
  if (row) return { claimed: true, delivery: toClaimed(row) };
  // Not claimable (finished, leased, not due, behind an older one): the common case of a
  // re-delivered job, answered without a second query. See whyNotClaimed.
  return { claimed: false };
}

const CLAIM_MANY_SQL = `update deliveries d set status = 'sending', attempts = d.attempts + 1, next_attempt_at = $3
  from (select id, status as previous from deliveries where id = any($1::bigint[]) order by id for update) p
  where d.id = p.id and d.status in (${PENDING_SQL})
    and coalesce(d.next_attempt_at, '-infinity') <= $2
    and not ${OLDER_PENDING}
  returning d.id::text, d.message_id::text, d.channel, d.recipient_kind, d.recipient_address, d.payload,
    d.attempts, d.created_at, p.previous`;

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
  const { rows } = await ctx.database.sql.query<ClaimRow>(CLAIM_MANY_SQL, [
    `{${deliveryIds.map(String).join(',')}}`,
    now,
    new Date(now.getTime() + leaseMs),
  ]);
  return rows.map(toClaimed).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function toClaimed(row: ClaimRow): ClaimedDelivery {
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

/** Why {@link claimDelivery} would leave this delivery alone now. */
export async function whyNotClaimed(ctx: CoreContext, deliveryId: bigint): Promise<NotClaimedReason> {
  const now = ctx.now();
  const { rows } = await ctx.database.sql.query<{ status: string; due: boolean; blocked: boolean }>(
    `select d.status, coalesce(d.next_attempt_at, '-infinity') <= $2 as due, ${OLDER_PENDING} as blocked
     from deliveries d where d.id = $1`,
    [deliveryId.toString(), now],
  );
  const row = rows[0];
  if (!row) return 'missing';
  if (!['queued', 'retrying', 'sending'].includes(row.status)) return 'finished';
  if (row.blocked) return 'behind_older';
  return row.status === 'sending' ? 'leased' : 'not_due';
}

/**
 * The recipient's oldest pending delivery once the one in CTE `done` (columns `id`, `channel`,
 * `recipient_kind`, `recipient_address`) is finished, as CTE `nxt` (`id`, `status`), when it can
 * be sent now (queued or retrying, and due): it waited behind `done`. Nothing when the head is
 * leased or waits for its retry (its own worker or job goes on from there).
 */
function nextOfRecipientSql(nowParam: string): string {
  return `head as (
      select n.id, n.status, n.next_attempt_at from deliveries n join done
        on n.channel = done.channel and n.recipient_kind = done.recipient_kind
          and n.recipient_address = done.recipient_address
      where n.id <> done.id and n.status in (${PENDING_SQL})
      order by n.id limit 1
    ), nxt as (
      select id, 'queued'::text as status from head
      where status in ('queued', 'retrying') and coalesce(next_attempt_at, '-infinity') <= ${nowParam}
    )`;
}

const DONE_COLUMNS = 'id, channel, recipient_kind, recipient_address';

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
  const { rows } = await ctx.database.sql.query<{ n: number; next: string | null } & Partial<ClaimRow>>(
    `with done as (
      update deliveries set status = 'sent', external_id = $2, extra_external_ids = $3::jsonb, sent_at = $4,
        last_error = null, next_attempt_at = null
      where id = $1 and status in (${PENDING_SQL}) returning ${DONE_COLUMNS}
    ), ${nextOfRecipientSql('$4')}, claimed as (
      update deliveries c set status = 'sending', attempts = c.attempts + 1, next_attempt_at = $5
      from nxt where $5::timestamptz is not null and c.id = nxt.id and c.status in ('queued', 'retrying')
        and coalesce(c.next_attempt_at, '-infinity') <= $4
      returning c.id::text, c.message_id::text, c.channel, c.recipient_kind, c.recipient_address, c.payload,
        c.attempts, c.created_at, 'queued'::text as previous
    ), wake as (select id, status from nxt where $5::timestamptz is null
    ), job as (${ctx.jobs.deliveryJobInsertSql('wake')})
    select (select count(*)::int from done) as n, (select id::text from nxt) as next, claimed.*
    from (select 1) one left join claimed on true`,
    [
      deliveryId.toString(),
      result.externalId ?? null,
      result.extraExternalIds ? JSON.stringify(result.extraExternalIds) : null,
      now,
      chainLeaseMs === undefined ? null : new Date(now.getTime() + chainLeaseMs),
    ],
  );
  const row = rows[0];
  const done = finished(row);
  if (chainLeaseMs === undefined) return done;
  // Claimed for the caller, or nothing to go on with (a next one that could not be claimed at
  // that moment has a worker of its own: it is leased, or was sent by its own job meanwhile).
  return { recorded: done.recorded, claimedNext: row?.id ? toClaimed(row as ClaimRow) : undefined };
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
  const { rows } = await tx.sql.query(
    `update deliveries set status = 'retrying', last_error = $3, next_attempt_at = $4
     where id = $1 and status = 'sending' and attempts = $2 returning id`,
    [delivery.id.toString(), delivery.attempts, reason, nextAttemptAt],
  );
  if (rows.length === 0) return false;
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
    const { rows } = await tx.sql.query(
      `update deliveries set attempts = attempts - 1, next_attempt_at = $3,
         status = case when attempts > 1 then 'retrying' else 'queued' end
       where id = $1 and status = 'sending' and attempts = $2 returning id`,
      [delivery.id.toString(), delivery.attempts, ctx.now()],
    );
    if (rows.length > 0) await ctx.jobs.enqueueDeliveryAt(tx, delivery.id.toString(), new Date());
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
  const { rows } = await tx.sql.query<{ n: number; next: string | null }>(
    `with done as (
      update deliveries set status = 'failed', last_error = $3, next_attempt_at = null
      where id = $1 and status = 'sending' and attempts = $2 returning ${DONE_COLUMNS}
    ), ${nextOfRecipientSql('$4')}, job as (${ctx.jobs.deliveryJobInsertSql('nxt')})
    select (select count(*)::int from done) as n, (select id::text from nxt) as next`,
    [delivery.id.toString(), delivery.attempts, reason, ctx.now()],
  );
  return finished(rows[0]);
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
  const { rows } = await tx.sql.query<{ id: string; message_id: string; recipient_address: string }>(
    `update deliveries set status = 'failed', last_error = $2, next_attempt_at = null
     where id = $1 and status in ('queued', 'sending', 'retrying', 'sent', 'failed')
     returning id::text, message_id::text, recipient_address`,
    [deliveryId.toString(), reason],
  );
  const row = rows[0];
  return row
    ? { id: BigInt(row.id), messageId: BigInt(row.message_id), recipient: row.recipient_address }
    : undefined;
}

/** Nothing left to send it for: a pending delivery becomes `cancelled`. Returns false if it was not pending. */
export async function cancelDelivery(tx: Tx, deliveryId: bigint, reason: string): Promise<boolean> {
  const { rows } = await tx.sql.query(
    `update deliveries set status = 'cancelled', last_error = $2, next_attempt_at = null
     where id = $1 and status in ('queued', 'retrying') returning id`,
    [deliveryId.toString(), reason],
  );
  return rows.length === 1;
}

/**
 * Embedded store only, at start: the data-dir lock proves no other process runs, so every lease
 * belongs to a process that died. Its rows become claimable now (as "maybe sent").
 */
export async function releaseDeadLeases(ctx: CoreContext): Promise<number> {
  const { rows } = await ctx.database.sql.query(
    `update deliveries set next_attempt_at = $1 where status = 'sending' and next_attempt_at > $1 returning id`,
    [ctx.now()],
  );
  return rows.length;
}
