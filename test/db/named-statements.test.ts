import { describe, expect, it } from 'vitest';
import { type PgQueryable, StatementNames } from '../../src/db/named-statements.js';

/** What node-postgres would receive: the wrapper only adds a `name`; the server run proves pg accepts it. */
function recorder() {
  const calls: unknown[][] = [];
  const target: PgQueryable & { release(): string } = {
    query: async (...args: unknown[]) => {
      calls.push(args);
      return { rows: [] };
    },
    release() {
      return 'released';
    },
  };
  return { calls, target };
}

describe('statement names (PostgreSQL server)', () => {
  it('gives each parameterised SQL text one stable name, across connections', async () => {
    const names = new StatementNames();
    const a = recorder();
    const b = recorder();
    await names.wrap(a.target).query('select * from tickets where id = $1', [1]);
    await names.wrap(b.target).query({ text: 'select * from tickets where id = $1', rowMode: 'array' }, [2]);
    await names.wrap(a.target).query({ text: 'select * from messages where id = $1', values: [3] });
    expect(a.calls[0]).toEqual([{ text: 'select * from tickets where id = $1', name: 'hd_1' }, [1]]);
    expect(b.calls[0]).toEqual([
      { text: 'select * from tickets where id = $1', rowMode: 'array', name: 'hd_1' },
      [2],
    ]);
    expect(a.calls[1]![0]).toMatchObject({ name: 'hd_2', values: [3] });
  });

  it('leaves statements without parameters, queue fetches and ones already named unnamed', async () => {
    const names = new StatementNames();
    const { calls, target } = recorder();
    const wrapped = names.wrap(target);
    await wrapped.query('create table a (x int); create table b (y int)');
    await wrapped.query({ text: 'select $1::int', name: 'mine' }, [1]);
    await wrapped.query('select id from jobs where name = $1 limit $2 for update skip locked', ['q', 5]);
    expect(calls.map((call) => (call[0] as { name?: string }).name)).toEqual([undefined, 'mine', undefined]);
  });

  it('stops naming new texts past its limit, so the server keeps a bounded set', async () => {
    const names = new StatementNames();
    for (let i = 0; i < StatementNames.MAX_NAMED; i++) names.nameFor(`select $1::int + ${i}`);
    expect(names.nameFor('select $1::int + 0')).toBe('hd_1');
    expect(names.nameFor('select $1::text')).toBeUndefined();
  });

  it('passes every other property through, bound to the original object', () => {
    const { target } = recorder();
    const wrapped = new StatementNames().wrap(target);
    expect(wrapped.release()).toBe('released');
  });
});
