import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { DELIVERY_QUEUE, deliveryJobInsertSql, JobQueue } from '../../src/jobs/job-queue.js';
import { createTestStore, type TestStore } from '../helpers/test-database.js';

/**
 * The delivery job the outbound statement inserts itself must be the row pg-boss's own `send`
 * would have inserted: pg-boss's workers, retries and expiry read these columns.
 */
let store: TestStore;
let database: Database;
let queue: JobQueue;

beforeAll(async () => {
  store = await createTestStore();
  database = await openDatabase(store);
  queue = new JobQueue(database, { pollIntervalMs: 60_000 });
  await queue.start();
});

afterAll(async () => {
  await queue?.stop();
  await database?.close();
  await store?.drop();
});

interface JobRow {
  data: { deliveryId: string };
  [column: string]: unknown;
}

describe('delivery job written in SQL', () => {
  it('matches the job pg-boss inserts, column by column', async () => {
    await database.transaction(async (tx) => {
      await queue.enqueueDelivery(tx, '101');
      await tx.sql.query(
        `with d as (select $1::bigint as id, 'queued'::text as status union all select $2::bigint, 'suppressed')
         , job as (${deliveryJobInsertSql('d')}) select 1`,
        ['102', '103'],
      );
    });
    const { rows } = await database.sql.query<JobRow>(
      `select name, priority, data, state::text, retry_limit, retry_count, retry_delay, retry_backoff,
         extract(epoch from expire_in)::int as expire_seconds, singleton_key, singleton_on, dead_letter, policy,
         started_on, completed_on, output,
         round(extract(epoch from keep_until - start_after) / 60)::int as kept_minutes,
         abs(extract(epoch from start_after - now())) < 60 as starts_now
       from pgboss.job where name = $1 order by data->>'deliveryId'`,
      [DELIVERY_QUEUE],
    );
    expect(rows.map((row) => row.data.deliveryId)).toEqual(['101', '102']);
    const [bySend, bySql] = rows;
    // The singleton key is the delivery id, so it differs like the data does.
    const same = (row: JobRow) => ({ ...row, data: undefined, singleton_key: undefined });
    expect(same(bySql!)).toEqual(same(bySend!));
    expect(bySql!.singleton_key).toBe('102');
    expect(bySend).toMatchObject({
      retry_limit: 0,
      expire_seconds: 900,
      policy: 'short',
      singleton_key: '101',
      starts_now: true,
    });
  });

  it('never doubles the waiting job of a delivery', async () => {
    await database.transaction(async (tx) => {
      await queue.enqueueDelivery(tx, '201');
      await queue.enqueueDelivery(tx, '201');
      await tx.sql.query(
        `with d as (select $1::bigint as id, 'queued'::text as status), job as (${deliveryJobInsertSql('d')}) select 1`,
        ['201'],
      );
    });
    const { rows } = await database.sql.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = $1 and data->>'deliveryId' = '201'`,
      [DELIVERY_QUEUE],
    );
    expect(rows[0]!.n).toBe(1);
  });
});
