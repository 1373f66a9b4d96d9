import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeBindExecute,
  encodeCloseStatement,
  encodePrepare,
  encodeQuery,
  parseResponse,
} from '../../src/db/pg-wire.js';

/** The encoder and decoder against a real PostgreSQL backend (PGlite), byte for byte. */
describe('PostgreSQL wire messages', () => {
  let pg: PGlite;
  const run = (message: Uint8Array) => parseResponse(pg.execProtocolRawSync(message));

  beforeAll(async () => {
    pg = new PGlite();
    await pg.waitReady;
    await pg.exec('create table notes (id serial primary key, body text, data bytea)');
  });

  afterAll(async () => {
    await pg.close();
  });

  it('prepares a statement and reports its parameter and result types', () => {
    const response = run(
      encodePrepare('s1', 'select $1::int as n, $2::text as "ünïcode name", $3::bytea as b'),
    );
    expect(response.error).toBeUndefined();
    expect(response.paramTypes).toEqual([23, 25, 17]);
    expect(response.results[0]!.fields).toEqual([
      { name: 'n', dataTypeID: 23 },
      { name: 'ünïcode name', dataTypeID: 25 },
      { name: 'b', dataTypeID: 17 },
    ]);
  });

  it('binds text, NULL and binary values and reads the rows back as text', () => {
    run(encodePrepare('s2', 'insert into notes (body, data) values ($1, $2) returning id, body, data'));
    const text = 'multi-byte 😀 àè <b>&amp;</b> \\ \' "';
    const response = run(encodeBindExecute('s2', [text, Uint8Array.of(0, 1, 254, 255)]));
    expect(response.error).toBeUndefined();
    expect(response.results).toEqual([
      { fields: [], rows: [['1', text, '\\x0001feff']], command: 'INSERT 0 1' },
    ]);
    const withNull = run(encodeBindExecute('s2', [null, null]));
    expect(withNull.results[0]!.rows).toEqual([['2', null, null]]);
  });

  it('parses the unnamed statement with the given types in the same message as its execution', () => {
    const response = run(
      encodeBindExecute('', ['41', Uint8Array.of(7)], {
        text: 'select $1 + 1 as n, $2 as b',
        paramTypes: [23, 17],
      }),
    );
    expect(response.error).toBeUndefined();
    expect(response.results[0]!.rows).toEqual([['42', '\\x07']]);
  });

  it('gives every result set of a simple query in order', () => {
    const response = run(encodeQuery("select 1 as a; update notes set body = 'x'; select 'two' as b"));
    expect(response.results.map((r) => [r.fields.map((f) => f.name), r.rows, r.command])).toEqual([
      [['a'], [['1']], 'SELECT 1'],
      [[], [], 'UPDATE 2'],
      [['b'], [['two']], 'SELECT 1'],
    ]);
  });

  it('turns an error response into a DatabaseError with its fields', () => {
    run(encodePrepare('s3', 'insert into notes (id, body) values ($1, $2)'));
    const response = run(encodeBindExecute('s3', ['1', 'duplicate']));
    expect(response.error).toMatchObject({
      message: 'duplicate key value violates unique constraint "notes_pkey"',
      code: '23505',
      severity: 'ERROR',
      table: 'notes',
      constraint: 'notes_pkey',
    });
    expect(response.error).toBeInstanceOf(Error);
    // The backend is ready for the next statement.
    expect(run(encodeQuery('select count(*) as n from notes')).results[0]!.rows).toEqual([['2']]);
  });

  it('closes a prepared statement', () => {
    expect(run(encodeCloseStatement('s1')).error).toBeUndefined();
    expect(run(encodeBindExecute('s1', ['1', 'a', null])).error).toMatchObject({ code: '26000' });
  });
});
