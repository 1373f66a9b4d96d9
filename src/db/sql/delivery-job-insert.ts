/**
 * SQL that queues one delivery job in pg-boss queue `queue` per row of `source` (a CTE with the
 * delivery's `id` and `status`; only `queued` rows get a job, none if one is already waiting),
 * with the queue's stored settings. It is what pg-boss 10's `send` inserts (src/plans.js,
 * insertJob) for a job without options, written into the statement that creates the delivery so
 * a message costs one round trip less. pg-boss is pinned to 10.4;
 * test/jobs/delivery-job-sql.test.ts compares the two rows column by column.
 */
export function deliveryJobInsertSql(source: string, queue: string): string {
  return `insert into pgboss.job (name, data, singleton_key, retry_limit, retry_delay, retry_backoff, expire_in,
      keep_until, policy, dead_letter)
    select q.name, jsonb_build_object('deliveryId', ${source}.id::text), ${source}.id::text,
      coalesce(q.retry_limit, 2),
      case when coalesce(q.retry_backoff, false) then greatest(coalesce(q.retry_delay, 0), 1)
        else coalesce(q.retry_delay, 0) end,
      coalesce(q.retry_backoff, false),
      coalesce(q.expire_seconds * interval '1s', interval '15 minutes'),
      now() + cast(coalesce((q.retention_minutes * 60)::text, '14 days') as interval),
      q.policy, q.dead_letter
    from ${source} join pgboss.queue q on q.name = '${queue}'
    where ${source}.status = 'queued'
    on conflict do nothing`;
}
