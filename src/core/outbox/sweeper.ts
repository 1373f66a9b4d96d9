import type { CoreContext } from '../core-context.js';
import { PENDING_SQL } from './status.js';

/** What one sweep found. */
export interface SweepReport {
  /** Due deliveries at the head of their recipient's queue. */
  due: number;
  /** Of those, rows still `sending` under an expired lease (a worker died or hung). */
  expiredLeases: number;
  /** Jobs the sweep added because none existed (deleted, expired, or failed). */
  requeued: number;
  /** Jobs that existed but were not due yet on the database clock, made due now. */
  hastened: number;
}

/**
 * The oldest pending delivery per recipient that is due: later ones wait behind it (creation
 * order), so only heads get a job and a backlog costs one job per recipient, not one per message.
 */
const DUE_HEADS = `select h.id, h.status from (
    select distinct on (channel, recipient_kind, recipient_address) id, status, next_attempt_at
    from deliveries where status in (${PENDING_SQL})
    order by channel, recipient_kind, recipient_address, id
  ) h where coalesce(h.next_attempt_at, '-infinity') <= $1`;

/**
 * Re-queues every due delivery that has no job which will run it: a job row that was deleted,
 * one pg-boss failed or expired, or one a crashed worker held. At most one job per delivery
 * waits (pg-boss's `short` policy; inserts are `ON CONFLICT DO NOTHING`), so a sweep never
 * doubles a job. Runs as a scheduled job; safe to run on several processes at once.
 */
export async function sweepDeliveries(ctx: CoreContext, queueName: string): Promise<SweepReport> {
  return ctx.database.transaction(async (tx) => {
    const now = ctx.now();
    const { rows } = await tx.sql.query<{ due: number; expired: number; hastened: number }>(
      `with heads as (${DUE_HEADS}), hastened as (
        update pgboss.job j set start_after = now() from heads
        where j.name = $2 and j.singleton_key = heads.id::text and j.state in ('created', 'retry')
          and j.start_after > now() returning j.id
      ) select (select count(*)::int from heads) as due,
          (select count(*)::int from heads where status = 'sending') as expired,
          (select count(*)::int from hastened) as hastened`,
      [now, queueName],
    );
    const { rows: inserted } = await tx.sql.query(
      // A job a worker holds right now ('active') is live too (the `short` policy's unique index
      // covers only waiting jobs, so a sweep could add a second one), unless the delivery is still
      // `sending` past its lease: then that worker died, and its job only expires later.
      `with heads as (select id, 'queued'::text as status from (${DUE_HEADS}) x
         where not exists (select 1 from pgboss.job j where j.name = $2 and j.singleton_key = x.id::text
           and (j.state in ('created', 'retry') or (j.state = 'active' and x.status <> 'sending'))))
       , job as (${ctx.jobs.deliveryJobInsertSql('heads')} returning 1)
       select 1 from job`,
      [now, queueName],
    );
    const row = rows[0]!;
    return {
      due: Number(row.due),
      expiredLeases: Number(row.expired),
      requeued: inserted.length,
      hastened: Number(row.hastened),
    };
  });
}
