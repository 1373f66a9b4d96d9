import { hastenDueHeads, requeueDueHeads } from '../../db/sql/sweep-due-deliveries.js';
import type { CoreContext } from '../core-context.js';

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
 * Re-queues every due delivery that has no job which will run it: a job row that was deleted,
 * one pg-boss failed or expired, or one a crashed worker held. Only the oldest pending delivery
 * of each recipient (its head) counts: later ones wait behind it. At most one job per delivery
 * waits (pg-boss's `short` policy; inserts are `ON CONFLICT DO NOTHING`), so a sweep never
 * doubles a job. Runs as a scheduled job; safe to run on several processes at once.
 */
export async function sweepDeliveries(ctx: CoreContext, queueName: string): Promise<SweepReport> {
  return ctx.database.transaction(async (tx) => {
    const now = ctx.now();
    const heads = await hastenDueHeads(tx.sql, { now, queueName });
    const requeued = await requeueDueHeads(tx.sql, (source) => ctx.jobs.deliveryJobInsertSql(source), {
      now,
      queueName,
    });
    return { due: heads.due, expiredLeases: heads.expired, requeued, hastened: heads.hastened };
  });
}
