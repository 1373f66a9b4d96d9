import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { prepareDataDir, tightenFiles } from './data-dir.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { createEmbeddedConnection, type EmbeddedQueryable } from './embedded-connection.js';
import { StatementNames } from './named-statements.js';
import { runtimeFsBundle } from './pglite-runtime-bundle.js';

/** Drizzle over either driver; the core only sees this type, so there is one code path. */
export type Db = PgDatabase<PgQueryResultHKT>;

/** Plain SQL with `$1` parameters; what pg-boss's `executeSql` needs. */
export interface SqlClient {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/** An open transaction: Drizzle for the app's tables, raw SQL for pg-boss in the same transaction. */
export interface Tx {
  db: Db;
  sql: SqlClient;
}

export interface Database {
  readonly kind: 'embedded' | 'server';
  /** Outside any transaction. */
  readonly db: Db;
  readonly sql: SqlClient;
  /** Runs `fn` in one transaction; a throw rolls everything back, including queued jobs. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL server URL; unset means embedded PGlite. */
  databaseUrl?: string;
  /** Embedded data directory; `memory://` keeps everything in memory (tests, benchmarks). */
  dataDir: string;
  /** Server pool size. */
  poolSize?: number;
  /**
   * In-memory embedded store only: a data directory tarball (PGlite `dumpDataDir`) to start from
   * instead of an empty cluster. Tests start from an already migrated template (a fresh cluster's
   * initdb and migrations took ~2 s per test file); pending migrations still apply on open.
   */
  initialData?: Blob;
}

/** The committed migrations: found upwards from this module, which runs from src/ (tsx) or dist/ (npm start). */
function findMigrationsFolder(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'drizzle');
    if (existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error('drizzle/ migrations folder not found next to the app');
  }
}

const migrationsFolder = findMigrationsFolder();

/** Opens the store and applies pending migrations. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl
    ? openServer(options.databaseUrl, options.poolSize ?? 10)
    : openEmbedded(options.dataDir, options.initialData);
}

/** pg-boss sends its schema as several statements in one string, which PGlite's `query` rejects. */
function pgliteSql(client: EmbeddedQueryable): SqlClient {
  return {
    async query<Row>(text: string, params?: unknown[]) {
      if (params && params.length > 0) {
        const result = await client.query<Row>(text, params);
        return { rows: result.rows };
      }
      const results = await client.exec(text);
      return { rows: (results.at(-1)?.rows ?? []) as Row[] };
    },
  };
}

async function openEmbedded(dataDir: string, initialData?: Blob): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  let lock: DataDirLock | undefined;
  if (!inMemory) {
    prepareDataDir(dataDir);
    lock = acquireDataDirLock(dataDir);
  }
  let client: PGlite;
  try {
    // PGlite's default shared_buffers is 128 MB, all resident once touched. 4 MB (512 pages)
    // holds the hot index pages of ingest; colder pages come from the OS page cache. Measured:
    // 16 -> 4 MB saves ~12 MB resident with no loss in the ingest or email figures.
    const clusterDir = path.join(dataDir, 'pglite');
    const resumes = inMemory ? initialData !== undefined : existsSync(path.join(clusterDir, 'PG_VERSION'));
    // An existing cluster needs only part of PGlite's file bundle (pglite-runtime-bundle.ts).
    // PGlite reads its fsBundle option only through arrayBuffer().
    const fsBundle = resumes ? (runtimeFsBundle() as unknown as Blob | undefined) : undefined;
    const options = {
      startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=4MB'],
      ...(fsBundle && { fsBundle }),
    };
    client = inMemory
      ? new PGlite({ ...options, loadDataDir: initialData })
      : new PGlite(clusterDir, options);
    await client.waitReady;
    await migratePglite(drizzlePglite(client), { migrationsFolder });
    // From here on every statement goes through the connection: it owns the one-transaction lock.
    const connection = createEmbeddedConnection(client);
    const asPglite = (queryable: EmbeddedQueryable) =>
      drizzlePglite(queryable as unknown as PGlite) as unknown as Db;
    return {
      kind: 'embedded',
      db: asPglite(connection),
      sql: pgliteSql(connection),
      transaction: (fn) => connection.transaction((tx) => fn({ db: asPglite(tx), sql: pgliteSql(tx) })),
      async close() {
        await connection.close();
        if (!inMemory) tightenFiles(dataDir);
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

async function openServer(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  await migrateNodePg(drizzleNodePg(pool), { migrationsFolder });
  const names = new StatementNames();
  const named = names.wrap(pool);
  return {
    kind: 'server',
    db: drizzleNodePg(named) as unknown as Db,
    sql: named,
    async transaction(fn) {
      const client = names.wrap(await pool.connect());
      try {
        await client.query('BEGIN');
        const result = await fn({ db: drizzleNodePg(client) as unknown as Db, sql: client });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
