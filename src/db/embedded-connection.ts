import type { PGlite, Results } from '@electric-sql/pglite';
import { ParameterTypeError } from './errors.js';
import {
  encodeBindExecute,
  encodeCloseStatement,
  encodePrepare,
  encodeQuery,
  parseResponse,
  type WireField,
  type WireResponse,
  type WireRow,
  type WireValue,
} from './pg-wire.js';

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
  fields: WireField[];
  /** Executions left before it is prepared again. */
  usesLeft: number;
  preparedAt: number;
  /** Statements the connection had run when this one was prepared (see `replanAfterGrowth`). */
  preparedAtCount: number;
  /** Parsed and planned for its values at every execution (see {@link needsCustomPlans}). */
  customPlans: boolean;
}

/** Queue fetches (`FOR UPDATE SKIP LOCKED`) are planned for their values each time: docs/performance.md */
function needsCustomPlans(text: string): boolean {
  return /\bskip\s+locked\b/i.test(text);
}

/** Bounds of the statement cache; statements are planned again as tables grow: docs/performance.md */
export interface EmbeddedConnectionOptions {
  /** Prepared statements kept; the least recently used is closed first. */
  maxStatements: number;
  replanAfterUses: number;
  replanAfterMs: number;
  /**
   * Also prepared again once the connection has run as many statements since as before it
   * (at least this many): the store grows with the work done, so a plan made while its tables
   * were nearly empty is made again at each doubling instead of lasting the first 5 minutes.
   */
  replanAfterGrowth: number;
}

const DEFAULTS: EmbeddedConnectionOptions = {
  maxStatements: 500,
  replanAfterUses: 20_000,
  replanAfterMs: 5 * 60_000,
  replanAfterGrowth: 1_000,
};

/**
 * A statement at least this large (a mail's source, a big attachment) costs the embedded store
 * ~10–35 ms per MB on the main thread: it is kept out of other statements' event-loop turn.
 */
const LARGE_STATEMENT_BYTES = 64 * 1024;

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
 * The embedded store's connection, replacing PGlite's `query`/`transaction` on the hot path: each
 * statement is prepared once, then executed with one synchronous call (Bind + Execute + Sync;
 * wire messages in `pg-wire.ts`). Every access to the PGlite instance must go through it once it
 * exists: its lock keeps a statement out of another caller's open transaction. Why and how it was
 * measured: docs/performance.md#one-call-per-statement-on-the-embedded-store
 */
export function createEmbeddedConnection(
  pg: PGlite,
  options: Partial<EmbeddedConnectionOptions> = {},
): EmbeddedConnection {
  const { maxStatements, replanAfterUses, replanAfterMs, replanAfterGrowth } = { ...DEFAULTS, ...options };
  const lock = new Lock();
  const statements = new Map<string, PreparedStatement>();
  let counter = 0;
  /** Statements run so far (the store's growth, roughly). */
  let executed = 0;
  let closed = false;
  let ready = false;
  /** The last statement was large: the next one waits for a turn of the event loop. */
  let afterLarge = false;

  /** One synchronous call into PGlite; a PostgreSQL error comes back as a rejection. */
  async function send(message: Uint8Array, text: string, binaryResults?: boolean[]): Promise<WireResponse> {
    // A large statement runs in an event-loop turn of its own, and so does whatever follows it
    // (COMMIT, the next mail of a group): the statements of one transaction otherwise run back to
    // back in a single turn, and a few MB of mail took over 100 ms with no timer or socket served.
    const large = message.length >= LARGE_STATEMENT_BYTES;
    if (large || afterLarge) await new Promise((resolve) => setImmediate(resolve));
    afterLarge = large;
    if (closed) throw new Error('the embedded database is closed');
    if (!ready) {
      await pg.waitReady;
      ready = true;
    }
    const response = parseResponse(pg.execProtocolRawSync(message), binaryResults);
    if (response.error) throw withQuery(response.error, text);
    return response;
  }

  async function prepare(text: string): Promise<PreparedStatement> {
    const cached = statements.get(text);
    if (cached) {
      statements.delete(text);
      const grown = executed - cached.preparedAtCount >= Math.max(cached.preparedAtCount, replanAfterGrowth);
      if (--cached.usesLeft > 0 && Date.now() - cached.preparedAt < replanAfterMs && !grown) {
        // Map order is insertion order: re-inserting keeps the most recently used last.
        statements.set(text, cached);
        return cached;
      }
      await send(encodeCloseStatement(cached.name), 'close').catch(() => undefined);
    }
    // Statements planned at every execution are described through the unnamed statement only.
    const customPlans = needsCustomPlans(text);
    const name = customPlans ? '' : `hd_${++counter}`;
    const response = await send(encodePrepare(name, text), text);
    const statement: PreparedStatement = {
      name,
      paramTypes: response.paramTypes ?? [],
      fields: response.results[0]?.fields ?? [],
      usesLeft: replanAfterUses,
      preparedAt: Date.now(),
      preparedAtCount: executed,
      customPlans,
    };
    statements.set(text, statement);
    if (statements.size > maxStatements) {
      const [oldestText, oldest] = statements.entries().next().value as [string, PreparedStatement];
      statements.delete(oldestText);
      await send(encodeCloseStatement(oldest.name), 'close').catch(() => undefined);
    }
    return statement;
  }

  function serializeParam(value: unknown, typeId: number, index: number): WireValue {
    if (value === null || value === undefined) return null;
    // bytea goes as raw bytes (binary format): no hex text twice the size of a mail's source.
    if (typeId === BYTEA && value instanceof Uint8Array) return value;
    refuseMismatchedParam(value, typeId, index);
    const serializer = pg.serializers[typeId];
    return serializer ? serializer(value) : String(value);
  }

  async function runQuery<Row>(
    text: string,
    params: unknown[] = [],
    options?: QueryOptions,
  ): Promise<Results<Row>> {
    executed++;
    const statement = await prepare(text);
    const values = params.map((value, i) => serializeParam(value, statement.paramTypes[i] ?? 0, i));
    // bytea comes back as raw bytes too: hex text would be twice the size, parsed in JavaScript.
    const binary = statement.fields.map((field) => field.dataTypeID === BYTEA);
    const response = await send(
      statement.customPlans
        ? encodeBindExecute('', values, { text, paramTypes: statement.paramTypes }, binary)
        : encodeBindExecute(statement.name, values, undefined, binary),
      text,
      binary,
    );
    const result = response.results[0] ?? { fields: [], rows: [] };
    return {
      rows: toRows<Row>(result.rows, statement.fields, pg.parsers as Record<number, Parser>, options),
      fields: statement.fields,
      affectedRows: affectedRowsOf(result.command),
    };
  }

  async function runExec(text: string): Promise<Results[]> {
    executed++;
    const response = await send(encodeQuery(text), text);
    return response.results.map((result) => ({
      rows: toRows(result.rows, result.fields, pg.parsers as Record<number, Parser>),
      fields: result.fields,
      affectedRows: affectedRowsOf(result.command),
    }));
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

const BYTEA = 17;
const JSON_TYPES = new Set([114, 3802]);
/**
 * Types whose serializer turns anything into `String(value)`: bytes would be stored as
 * `"104,105"` and objects as `"[object Object]"`. 0 is a parameter whose type PostgreSQL left open.
 */
const TEXT_LIKE_TYPES = new Set([0, 16, 20, 21, 23, 25, 26, 700, 701, 1042, 1043, 1700]);

/**
 * Refuses a parameter whose JavaScript type cannot be what the statement expects, instead of
 * storing its string form. Throws {@link ParameterTypeError} (the value itself is never quoted).
 */
function refuseMismatchedParam(value: unknown, typeId: number, index: number): void {
  const bytes = value instanceof ArrayBuffer || ArrayBuffer.isView(value);
  if (bytes && typeId !== BYTEA) throw new ParameterTypeError(index + 1, typeId, 'bytes');
  if (bytes || typeof value !== 'object' || value instanceof Date || JSON_TYPES.has(typeId)) return;
  if (TEXT_LIKE_TYPES.has(typeId)) {
    throw new ParameterTypeError(index + 1, typeId, Array.isArray(value) ? 'array' : 'object');
  }
}

/** Keeps the SQL text on the error, as PGlite does, but never the parameters (message text). */
function withQuery(error: unknown, text: string): unknown {
  if (error && typeof error === 'object') (error as { query?: string }).query = text;
  return error;
}

function affectedRowsOf(command: string | undefined): number {
  const parts = (command ?? '').split(' ');
  const count = Number.parseInt(parts.at(-1) ?? '', 10);
  return ['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE'].includes(parts[0] ?? '') && Number.isFinite(count)
    ? count
    : 0;
}

function toRows<Row>(
  rows: WireRow[],
  fields: WireField[],
  parsers: Record<number, Parser>,
  options?: QueryOptions,
): Row[] {
  const own = options?.parsers;
  const parserOf = fields.map((field) => own?.[field.dataTypeID] ?? parsers[field.dataTypeID]);
  const parse = (value: string | Uint8Array | null, i: number) => {
    if (value === null || value instanceof Uint8Array) return value;
    const parser = parserOf[i];
    return parser ? parser(value, fields[i]!.dataTypeID) : value;
  };
  if (options?.rowMode === 'array') return rows.map((row) => row.map(parse)) as Row[];
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < row.length; i++) out[fields[i]!.name] = parse(row[i]!, i);
    return out as Row;
  });
}
