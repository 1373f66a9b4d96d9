import type { SqlClient } from '../database.js';
import { PENDING_DELIVERY_SQL } from '../statuses.js';
import type { DeliveryJobInsertSql } from './insert-outbound-delivery.js';

/**
 * The oldest pending delivery per recipient that is due: later ones wait behind it (creation
 * order), so only heads get a job and a backlog costs one job per recipient, not one per message.
 */
const DUE_HEADS = `select h.id, h.status from (
    select distinct on (channel, recipient_kind, recipient_address) id, status, next_attempt_at
    from deliveries where status in (${PENDING_DELIVERY_SQL})
    order by channel, recipient_kind, recipient_address, id
  ) h where coalesce(h.next_attempt_at, '-infinity') <= $1`;

export interface DueHeadsRow {
  /** Due heads. */
  due: number;
  /** Of those, `sending` under an expired lease. */
  expired: number;
  /** Waiting jobs of heads made due now (they waited for a later time on the database clock). */
  hastened: number;
}

/** Counts the due heads at `now` and makes their waiting jobs in `queueName` due now. */
export async function hastenDueHeads(
  sql: SqlClient,
  params: { now: Date; queueName: string },
): Promise<DueHeadsRow> {
  const { rows } = await sql.query<DueHeadsRow>(
    `with heads as (${DUE_HEADS}), hastened as (
      update pgboss.job j set start_after = now() from heads
      where j.name = $2 and j.singleton_key = heads.id::text and j.state in ('created', 'retry')
        and j.start_after > now() returning j.id
    ) select (select count(*)::int from heads) as due,
        (select count(*)::int from heads where status = 'sending') as expired,
        (select count(*)::int from hastened) as hastened`,
    [params.now, params.queueName],
  );
  const row = rows[0]!;
  return { due: Number(row.due), expired: Number(row.expired), hastened: Number(row.hastened) };
}

/**
 * Adds a job (`jobInsert`) for every due head at `now` that has no live job in `queueName`;
 * returns how many were added. A job a worker holds (`active`) is live unless its delivery is
 * still `sending` past its lease: then that worker died, and its job only expires later.
 */
export async function requeueDueHeads(
  sql: SqlClient,
  jobInsert: DeliveryJobInsertSql,
  params: { now: Date; queueName: string },
): Promise<number> {
  const { rows } = await sql.query(
    `with heads as (select id, 'queued'::text as status from (${DUE_HEADS}) x
       where not exists (select 1 from pgboss.job j where j.name = $2 and j.singleton_key = x.id::text
         and (j.state in ('created', 'retry') or (j.state = 'active' and x.status <> 'sending'))))
     , job as (${jobInsert('heads')} returning 1)
     select 1 from job`,
    [params.now, params.queueName],
  );
  return rows.length;
}
