import { type PGlite, protocol, type Results } from '@electric-sql/pglite';

type BackendMessage = Awaited<ReturnType<PGlite['execProtocolStream']>>[number];
type Parser = (value: string, typeId: number) => unknown;

/** What Drizzle's PGlite driver passes with each query. */
export interface QueryOptions {
  rowMode?: 'array' | 'object';
  parsers?: Record<number, Parser>;
}

/** The subset of PGlite's query interface the app, Drizzle and pg-boss use. */
export interface EmbeddedQueryable {
  query<Row>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<Row>>;
  /** Several statements in one string, no parameters (pg-boss's schema, `vacuum`). */
  exec(text: string): Promise<Results[]>;
}

export interface EmbeddedConnection extends EmbeddedQueryable {
  /** Runs `fn` between BEGIN and COMMIT; a throw rolls back. One transaction at a time. */
  transaction<T>(fn: (tx: EmbeddedQueryable) => Promise<T>): Promise<T>;
  /** Closes the database; later calls fail. */
  close(): Promise<void>;
}

interface PreparedStatement {
  name: string;
  paramTypes: number[];
  fields: Array<{ name: string; dataTypeID: number }>;
}

const { serialize } = protocol;
const SYNC = serialize.sync();

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A simple promise-chain lock: PGlite is one connection, so one transaction at a time. */
class Lock {
  private tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/**
 * The embedded store's connection, replacing PGlite's `query`/`transaction` on the hot path.
 *
 * PGlite's `query` makes six calls into the WASM backend per statement (parse, describe, bind,
 * describe, execute, sync) and re-parses and re-analyses the SQL every time: for the app's wide
 * SELECTs and CTEs that was 200–800 µs a statement. Here each statement is prepared once under a
 * name (parse, analysis and rewrite are kept by PostgreSQL's plan cache) and then executed with
 * one call carrying Bind + Execute + Sync: 40–100 µs. Parameters are serialised by the types
 * PostgreSQL reported when the statement was prepared, exactly as PGlite does.
 *
 * Every access to the PGlite instance must go through this object once it exists, because the
 * lock here is what keeps a statement from landing inside another caller's open transaction.
 * The statement cache is bounded ({@link maxStatements}); the oldest statement is closed first.
 */
export function createEmbeddedConnection(pg: PGlite, maxStatements = 500): EmbeddedConnection {
  const lock = new Lock();
  const statements = new Map<string, PreparedStatement>();
  let counter = 0;
  let closed = false;

  let ready = false;

  async function send(message: Uint8Array): Promise<BackendMessage[]> {
    if (!ready) {
      await pg.waitReady;
      ready = true;
    }
    return pg.execProtocolStream(message, { syncToFs: false });
  }

  async function prepare(text: string): Promise<PreparedStatement> {
    const cached = statements.get(text);
    if (cached) {
      // Map order is insertion order: re-inserting keeps the most recently used last.
      statements.delete(text);
      statements.set(text, cached);
      return cached;
    }
    const name = `hd_${++counter}`;
    const messages = await send(
      concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), SYNC]),
    ).catch((error: unknown) => {
      throw withQuery(error, text);
    });
    const statement: PreparedStatement = { name, paramTypes: [], fields: [] };
    for (const message of messages) {
      if (message.name === 'parameterDescription') {
        statement.paramTypes = (message as unknown as { dataTypeIDs: number[] }).dataTypeIDs;
      } else if (message.name === 'rowDescription') {
        statement.fields = (
          message as unknown as { fields: Array<{ name: string; dataTypeID: number }> }
        ).fields.map((field) => ({ name: field.name, dataTypeID: field.dataTypeID }));
      }
    }
    statements.set(text, statement);
    if (statements.size > maxStatements) {
      const [oldestText, oldest] = statements.entries().next().value as [string, PreparedStatement];
      statements.delete(oldestText);
      await send(concat([serialize.close({ type: 'S', name: oldest.name }), SYNC])).catch(() => undefined);
    }
    return statement;
  }

  function serializeParam(value: unknown, typeId: number): string | null {
    if (value === null || value === undefined) return null;
    const serializer = pg.serializers[typeId];
    return serializer ? serializer(value) : String(value);
  }

  async function runQuery<Row>(
    text: string,
    params: unknown[] = [],
    options?: QueryOptions,
  ): Promise<Results<Row>> {
    if (closed) throw new Error('the embedded database is closed');
    const statement = await prepare(text);
    const values = params.map((value, i) => serializeParam(value, statement.paramTypes[i] ?? 0));
    let messages: BackendMessage[];
    try {
      messages = await send(
        concat([serialize.bind({ statement: statement.name, values }), serialize.execute({}), SYNC]),
      );
    } catch (error) {
      throw withQuery(error, text);
    }
    return toResults<Row>(messages, statement.fields, pg.parsers as Record<number, Parser>, options);
  }

  async function runExec(text: string): Promise<Results[]> {
    if (closed) throw new Error('the embedded database is closed');
    const messages = await send(serialize.query(text)).catch((error: unknown) => {
      throw withQuery(error, text);
    });
    return splitResults(messages, pg.parsers as Record<number, Parser>);
  }

  const inTransaction: EmbeddedQueryable = { query: runQuery, exec: runExec };

  return {
    query: (text, params, options) => lock.run(() => runQuery(text, params, options)),
    exec: (text) => lock.run(() => runExec(text)),
    transaction: (fn) =>
      lock.run(async () => {
        await runExec('BEGIN');
        let result: Awaited<ReturnType<typeof fn>>;
        try {
          result = await fn(inTransaction);
        } catch (error) {
          await runExec('ROLLBACK').catch(() => undefined);
          throw error;
        }
        await runExec('COMMIT');
        await pg.syncToFs();
        return result;
      }),
    close: () =>
      lock.run(async () => {
        closed = true;
        statements.clear();
        await pg.close();
      }),
  };
}

/** Keeps the SQL text on the error, as PGlite does, but never the parameters (message text). */
function withQuery(error: unknown, text: string): unknown {
  if (error && typeof error === 'object') (error as { query?: string }).query = text;
  return error;
}

function parseValue(
  value: string | null,
  typeId: number,
  parsers: Record<number, Parser>,
  own?: Record<number, Parser>,
) {
  if (value === null) return null;
  const parser = own?.[typeId] ?? parsers[typeId];
  return parser ? parser(value, typeId) : value;
}

function affectedRowsOf(message: BackendMessage): number {
  const parts = (message as unknown as { text: string }).text.split(' ');
  const command = parts[0];
  const count = Number.parseInt(parts.at(-1) ?? '', 10);
  return ['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE'].includes(command ?? '') && Number.isFinite(count)
    ? count
    : 0;
}

function toResults<Row>(
  messages: BackendMessage[],
  fields: PreparedStatement['fields'],
  parsers: Record<number, Parser>,
  options?: QueryOptions,
): Results<Row> {
  const rows: unknown[] = [];
  let affectedRows = 0;
  const arrayMode = options?.rowMode === 'array';
  for (const message of messages) {
    if (message.name === 'dataRow') {
      const values = (message as unknown as { fields: Array<string | null> }).fields;
      if (arrayMode) {
        rows.push(
          values.map((value, i) => parseValue(value, fields[i]!.dataTypeID, parsers, options?.parsers)),
        );
      } else {
        const row: Record<string, unknown> = {};
        for (let i = 0; i < values.length; i++) {
          const field = fields[i]!;
          row[field.name] = parseValue(values[i]!, field.dataTypeID, parsers, options?.parsers);
        }
        rows.push(row);
      }
    } else if (message.name === 'commandComplete') {
      affectedRows += affectedRowsOf(message);
    }
  }
  return { rows: rows as Row[], fields, affectedRows };
}

/** Simple-protocol results: one result set per statement, as PGlite's `exec` returns them. */
function splitResults(messages: BackendMessage[], parsers: Record<number, Parser>): Results[] {
  const results: Results[] = [];
  let fields: PreparedStatement['fields'] = [];
  let rows: Record<string, unknown>[] = [];
  for (const message of messages) {
    if (message.name === 'rowDescription') {
      fields = (message as unknown as { fields: PreparedStatement['fields'] }).fields.map((field) => ({
        name: field.name,
        dataTypeID: field.dataTypeID,
      }));
    } else if (message.name === 'dataRow') {
      const values = (message as unknown as { fields: Array<string | null> }).fields;
      const row: Record<string, unknown> = {};
      values.forEach((value, i) => {
        row[fields[i]!.name] = parseValue(value, fields[i]!.dataTypeID, parsers);
      });
      rows.push(row);
    } else if (message.name === 'commandComplete') {
      results.push({ rows, fields, affectedRows: affectedRowsOf(message) });
      fields = [];
      rows = [];
    }
  }
  return results;
}
