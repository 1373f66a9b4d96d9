import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransactionBatches } from '../../src/core/ingest-batches.js';
import { type Database, openDatabase, type Tx } from '../../src/db/database.js';
import { createTestStore, type TestStore } from '../helpers/test-database.js';

/** Group commit on a real store: who shares a transaction, and what one failure does to the rest. */
let store: TestStore;
let database: Database;

beforeAll(async () => {
  store = await createTestStore();
  database = await openDatabase(store);
  await database.sql.query('create table batch_items (name text primary key, tx bigint not null)');
});

afterAll(async () => {
  await database?.close();
  await store?.drop();
});

/** Inserts the name; 'boom' fails; returns the transaction it ran in. */
async function insert(tx: Tx, name: string): Promise<string> {
  if (name.startsWith('boom')) throw new Error(`refused ${name}`);
  const { rows } = await tx.sql.query<{ tx: string }>(
    'insert into batch_items (name, tx) values ($1, txid_current()) returning tx::text',
    [name],
  );
  return rows[0]!.tx;
}

function batches(commits: { count: number }, concurrency = 1) {
  return new TransactionBatches<string, string>(
    database,
    insert,
    (name) => database.transaction((tx) => insert(tx, name)),
    () => commits.count++,
    { maxBatch: 4, concurrency },
  );
}

describe('transaction batches', () => {
  it('stores what arrives together in shared transactions, in order, at most maxBatch each', async () => {
    const commits = { count: 0 };
    const queue = batches(commits);
    const names = Array.from({ length: 10 }, (_, i) => `together-${i}`);
    const txs = await Promise.all(names.map((name) => queue.submit(name)));
    const { rows } = await database.sql.query<{ name: string }>(
      "select name from batch_items where name like 'together-%' order by tx, name",
    );
    expect(rows.map((row) => row.name)).toEqual(names);
    const sizes = [...new Set(txs)].map((tx) => txs.filter((t) => t === tx).length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(sizes.length).toBeLessThan(names.length);
    expect(commits.count).toBeGreaterThan(0);
  });

  it('runs a lone message alone, without waiting for company', async () => {
    const queue = batches({ count: 0 });
    const first = await queue.submit('alone-1');
    const second = await queue.submit('alone-2');
    expect(first).not.toBe(second);
  });

  it('gives one failing message its own error and stores all the others', async () => {
    const queue = batches({ count: 0 });
    const names = ['mixed-1', 'boom-2', 'mixed-3', 'mixed-1', 'mixed-5'];
    const results = await Promise.allSettled(names.map((name) => queue.submit(name)));
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('refused boom-2');
    // The repeated name fails on its own, as it would have outside a batch.
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    const { rows } = await database.sql.query<{ name: string }>(
      "select name from batch_items where name like 'mixed-%' order by name",
    );
    expect(rows.map((row) => row.name)).toEqual(['mixed-1', 'mixed-3', 'mixed-5']);
  });

  it('keeps at most `concurrency` transactions open', async () => {
    const queue = batches({ count: 0 }, 2);
    const names = Array.from({ length: 12 }, (_, i) => `parallel-${String(i).padStart(2, '0')}`);
    await Promise.all(names.map((name) => queue.submit(name)));
    const { rows } = await database.sql.query<{ n: number }>(
      "select count(*)::int as n from batch_items where name like 'parallel-%'",
    );
    expect(rows[0]!.n).toBe(12);
  });
});
