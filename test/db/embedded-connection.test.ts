import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedConnection, type EmbeddedConnection } from '../../src/db/embedded-connection.js';

/**
 * The embedded store's own statement path (prepared statements, one call per statement): what
 * goes in comes back with the same types, errors keep PostgreSQL's code, transactions isolate.
 */
describe('embedded connection', () => {
  let pg: PGlite;
  let connection: EmbeddedConnection;

  beforeAll(async () => {
    pg = new PGlite();
    await pg.waitReady;
  });

  beforeEach(async () => {
    // One PGlite for the file (starting one takes a second); each test gets a fresh table and a
    // fresh connection, whose statement names start again at hd_1.
    await pg.exec(`deallocate all; drop table if exists items; create table items (
      id bigserial primary key, name text not null unique, tags text[], data jsonb,
      content bytea, due timestamptz, count int, done boolean default false)`);
    connection = createEmbeddedConnection(pg, { maxStatements: 4 });
  });

  afterAll(async () => {
    await pg.close();
  });

  it('round-trips every parameter type the app sends', async () => {
    const due = new Date('2026-11-27T08:30:00.123Z');
    const insert = await connection.query<{ id: bigint }>(
      'insert into items (name, tags, data, content, due, count, done) values ($1, $2, $3, $4, $5, $6, $7) returning id',
      [
        "O'Brien <è> 😀",
        ['a', 'b,c', 'd"e'],
        { nested: [1, 'x'] },
        new Uint8Array([0, 1, 255]),
        due,
        42,
        true,
      ],
    );
    expect(insert.affectedRows).toBe(1);
    const { rows } = await connection.query<Record<string, unknown>>('select * from items where id = $1', [
      insert.rows[0]!.id,
    ]);
    expect(rows[0]).toMatchObject({
      name: "O'Brien <è> 😀",
      tags: ['a', 'b,c', 'd"e'],
      data: { nested: [1, 'x'] },
      content: new Uint8Array([0, 1, 255]),
      due,
      count: 42,
      done: true,
    });
    expect(await connection.query('select $1::text as v', [null])).toMatchObject({ rows: [{ v: null }] });
  });

  it('reads bytea back as its bytes (binary results), beside text columns and NULL', async () => {
    const every = Uint8Array.from({ length: 256 * 64 }, (_, i) => i % 256);
    await connection.query('insert into items (name, content) values ($1, $2), ($3, null)', [
      'bytes',
      every,
      'none',
    ]);
    const { rows } = await connection.query<{ name: string; content: Uint8Array | null; size: number }>(
      'select name, content, octet_length(content) as size from items order by name',
    );
    expect(rows.map((r) => r.name)).toEqual(['bytes', 'none']);
    expect(Buffer.from(rows[0]!.content!).equals(Buffer.from(every))).toBe(true);
    expect(rows[0]!.size).toBe(every.length);
    expect(rows[1]!.content).toBeNull();
    // A copy, not a view of PGlite's memory: the next statement cannot change it.
    await connection.query("select repeat('x', 100000)");
    expect(Buffer.from(rows[0]!.content!).equals(Buffer.from(every))).toBe(true);
  });

  it('returns rows as arrays with per-query parsers, as Drizzle asks', async () => {
    await connection.query('insert into items (name, due) values ($1, $2)', [
      'x',
      new Date('2026-01-02T03:04:05Z'),
    ]);
    const result = await connection.query('select name, due from items', [], {
      rowMode: 'array',
      parsers: { 1184: (value: string) => `raw:${value}` },
    });
    expect(result.rows).toEqual([['x', 'raw:2026-01-02 03:04:05+00']]);
  });

  it('keeps the SQL and the PostgreSQL code on an error, but not the parameters', async () => {
    await connection.query('insert into items (name) values ($1)', ['secret-value']);
    const error = await connection
      .query('insert into items (name) values ($1)', ['secret-value'])
      .catch((e: unknown) => e as Error & { code?: string; query?: string });
    if (!(error instanceof Error)) throw new Error('the duplicate was accepted');
    expect(error).toMatchObject({ code: '23505', query: 'insert into items (name) values ($1)' });
    // PostgreSQL's own `detail` may quote the key; the message (what logs carry) does not.
    expect(String(error.message)).not.toContain('secret-value');
    expect(error).not.toHaveProperty('params');
    // A syntax error is reported, and the connection goes on working.
    await expect(connection.query('selec 1', [])).rejects.toMatchObject({ code: '42601' });
    expect((await connection.query('select count(*)::int as n from items', [])).rows).toEqual([{ n: 1 }]);
  });

  it('refuses bytes for a text column and objects for a number instead of storing their string form', async () => {
    await expect(
      connection.query('insert into items (name) values ($1)', [new Uint8Array([104, 105])]),
    ).rejects.toMatchObject({ code: 'DB_PARAMETER_TYPE', context: { position: 1, typeId: 25 } });
    await expect(
      connection.query('insert into items (name, count) values ($1, $2)', ['n', { count: 3 }]),
    ).rejects.toMatchObject({ code: 'DB_PARAMETER_TYPE', context: { position: 2, valueKind: 'object' } });
    await expect(
      connection.query('insert into items (name) values ($1)', [['a', 'b']]),
    ).rejects.toMatchObject({ code: 'DB_PARAMETER_TYPE', context: { valueKind: 'array' } });
    await expect(connection.query('select $1::int as n', [Buffer.from('7')])).rejects.toMatchObject({
      code: 'DB_PARAMETER_TYPE',
    });
    // Nothing was stored, and the fitting types still go in.
    expect((await connection.query('select count(*)::int as n from items', [])).rows).toEqual([{ n: 0 }]);
    await connection.query('insert into items (name, tags, data) values ($1, $2, $3)', ['ok', ['x'], ['y']]);
    const { rows } = await connection.query('select name, tags, data from items', []);
    expect(rows).toEqual([{ name: 'ok', tags: ['x'], data: ['y'] }]);
  });

  it('rolls a transaction back when its function throws', async () => {
    await expect(
      connection.transaction(async (tx) => {
        await tx.query('insert into items (name) values ($1)', ['rolled back']);
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect((await connection.query('select name from items', [])).rows).toEqual([]);
  });

  it('aborts the whole transaction when a statement in it fails', async () => {
    await expect(
      connection.transaction(async (tx) => {
        await tx.query('insert into items (name) values ($1)', ['first']);
        await tx.query('insert into items (name) values ($1)', ['first']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await connection.query('select name from items', [])).rows).toEqual([]);
  });

  it('never runs a statement inside another caller’s open transaction', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = connection.transaction(async (tx) => {
      await tx.query('insert into items (name) values ($1)', ['in transaction']);
      await gate;
      throw new Error('roll back');
    });
    const outside = connection.query('insert into items (name) values ($1)', ['outside']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await expect(slow).rejects.toThrow('roll back');
    await outside;
    expect((await connection.query('select name from items order by id', [])).rows).toEqual([
      { name: 'outside' },
    ]);
  });

  it('runs several statements in one exec and gives each result', async () => {
    const results = await connection.exec(
      "insert into items (name) values ('a'); select name from items; select 1 as one",
    );
    expect(results.map((r) => r.rows)).toEqual([[], [{ name: 'a' }], [{ one: 1 }]]);
  });

  it('keeps working past its statement cache limit', async () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 10; i++) {
        const { rows } = await connection.query<{ v: number }>(`select $1::int + ${i} as v`, [round]);
        expect(rows[0]!.v).toBe(round + i);
      }
    }
  });

  it('prepares a statement again after its uses run out, so its plan follows the data', async () => {
    const replanning = createEmbeddedConnection(pg, { replanAfterUses: 3 });
    const names: string[] = [];
    for (let i = 0; i < 7; i++) {
      await replanning.query('select $1::int as v', [i]);
      const { rows } = await replanning.query<{ name: string }>(
        "select name from pg_prepared_statements where statement = 'select $1::int as v'",
        [],
      );
      names.push(rows.map((row) => row.name).join(','));
    }
    // One statement at a time, under a new name every third use.
    expect(names.every((name) => !name.includes(','))).toBe(true);
    expect(new Set(names).size).toBe(3);
  });

  it('prepares a statement again once the store has done as much work again, so a plan made on empty tables does not last', async () => {
    const growing = createEmbeddedConnection(pg, { replanAfterGrowth: 4 });
    const nameOf = async () => {
      const { rows } = await growing.query<{ name: string }>(
        "select name from pg_prepared_statements where statement = 'select $1::int as w'",
        [],
      );
      return rows.map((row) => row.name).join(',');
    };
    const names: string[] = [];
    for (let i = 0; i < 40; i++) {
      await growing.query('select $1::int as w', [i]);
      // Other work between its uses, as the rest of the app does.
      await growing.query('select $1::int + 1 as other', [i]);
      names.push(await nameOf());
    }
    // Prepared again at each doubling of the statements run (about 4, 8, 16, 32, ... of them).
    const distinct = new Set(names).size;
    expect(distinct).toBeGreaterThanOrEqual(3);
    expect(distinct).toBeLessThanOrEqual(7);
  });

  it('plans queue fetches (SKIP LOCKED) for their values each time instead of keeping a plan', async () => {
    await connection.query('insert into items (name, count) values ($1, $2), ($3, $4)', ['a', 1, 'b', 2]);
    const fetch = 'select name from items where count >= $1 order by count limit $2 for update skip locked';
    for (const limit of [1, 2]) {
      const { rows } = await connection.query<{ name: string }>(fetch, [1, limit]);
      expect(rows.map((row) => row.name)).toEqual(['a', 'b'].slice(0, limit));
    }
    const { rows } = await connection.query<{ n: number }>(
      "select count(*)::int as n from pg_prepared_statements where statement = $1 and name <> ''",
      [fetch],
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('refuses statements after close', async () => {
    const own = new PGlite();
    const closing = createEmbeddedConnection(own);
    expect((await closing.query<{ one: number }>('select 1 as one', [])).rows).toEqual([{ one: 1 }]);
    await closing.close();
    await expect(closing.query('select 1', [])).rejects.toThrow(/closed/);
    expect(own.closed).toBe(true);
  });
});
