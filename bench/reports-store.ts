import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { RunningApp } from '../src/app.js';
import { type BenchStore, openBenchStore } from './bench-app.js';
import { seedReportData } from './seed-reports.js';

/**
 * The reports bench's seeded store, kept between runs: seeding 100,000 tickets and 500,000
 * messages takes minutes (on a loaded machine, ten), the page a second. The first run seeds and
 * keeps a copy (embedded: a data directory in the temp folder; server: a template database
 * `hd_bench_reports_<key>`); later runs start from a copy of it. The key covers the seed's code,
 * its options and PGlite's version; a copy older than {@link MAX_AGE_DAYS} is
 * seeded again, so the data stay about a year old. Older keys' copies are removed.
 * BENCH_DATA_DIR=memory seeds every time (no copy kept), as does BENCH_RESEED=1.
 */

export interface Seeded {
  tickets: number;
  messages: number;
  timeEntries: number;
  /** The instant the data were seeded around (ISO); the bench asks for the period it makes the default. */
  now: string;
}

export interface SeedOptions {
  customers: number;
  tickets: number;
  messagesPerTicket: number;
}

const MAX_AGE_DAYS = 14;
const PREFIX = 'helpdesk-bench-reports-';
const SERVER_PREFIX = 'hd_bench_reports_';

/** bench/seed-reports.ts, found from here whether this runs as TypeScript or compiled into bench/dist. */
function seedFile(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'bench', 'seed-reports.ts');
}

/**
 * Not the migrations: the app applies those not in the copy as it opens it, as an upgrade does
 * (a new index is built on the seeded data at start).
 */
function seedKey(options: SeedOptions): string {
  const root = path.dirname(path.dirname(seedFile()));
  const pglite = JSON.parse(
    readFileSync(path.join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'),
  ) as { version: string };
  return createHash('sha256')
    .update(readFileSync(seedFile()))
    .update(JSON.stringify([options.customers, options.tickets, options.messagesPerTicket]))
    .update(pglite.version)
    .digest('hex')
    .slice(0, 12);
}

const fresh = (seeded: Seeded | undefined) =>
  seeded !== undefined && Date.now() - Date.parse(seeded.now) < MAX_AGE_DAYS * 86_400_000;

/**
 * A store holding the seeded data, and how long seeding took (0 when copied). `start` starts the
 * app on a store (it is called again after seeding, once the copy is kept).
 */
export async function seededReportsStore(
  options: SeedOptions,
  start: (store: BenchStore) => Promise<RunningApp>,
): Promise<{ store: BenchStore; app: RunningApp; seeded: Seeded; seedMs: number }> {
  const key = seedKey(options);
  const cacheable = process.env.BENCH_DATA_DIR !== 'memory' && !process.env.BENCH_RESEED;
  if (cacheable) {
    const copied = process.env.DATABASE_URL ? await serverCopy(key) : embeddedCopy(key);
    if (copied) return { ...copied, app: await start(copied.store), seedMs: 0 };
  }
  const store = await openBenchStore();
  let app = await start(store);
  const began = performance.now();
  const now = new Date();
  const seeded = { ...(await seedReportData(app, { ...options, now })), now: now.toISOString() };
  const seedMs = performance.now() - began;
  if (cacheable) {
    await app.stop();
    if (process.env.DATABASE_URL) await keepServer(key, store, seeded);
    else keepEmbedded(key, store, seeded);
    app = await start(store);
  }
  return { store, app, seeded, seedMs };
}

function embeddedCopy(key: string): { store: BenchStore; seeded: Seeded } | undefined {
  const dir = path.join(os.tmpdir(), `${PREFIX}${key}`);
  const info = path.join(dir, 'seeded.json');
  if (!existsSync(info)) return undefined;
  const seeded = JSON.parse(readFileSync(info, 'utf8')) as Seeded;
  if (!fresh(seeded)) return undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'helpdesk-bench-'));
  cpSync(path.join(dir, 'data'), dataDir, { recursive: true });
  const store: BenchStore = {
    kind: 'embedded',
    dataDir,
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
  return { store, seeded };
}

function keepEmbedded(key: string, store: BenchStore, seeded: Seeded): void {
  for (const name of readdirSync(os.tmpdir()))
    if (name.startsWith(PREFIX)) rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  // Built aside, then renamed: a run reading it never sees half a copy.
  const partial = path.join(os.tmpdir(), `${PREFIX}partial-${randomBytes(4).toString('hex')}`);
  cpSync(store.dataDir, path.join(partial, 'data'), { recursive: true });
  writeFileSync(path.join(partial, 'seeded.json'), JSON.stringify(seeded));
  renameSync(partial, path.join(os.tmpdir(), `${PREFIX}${key}`));
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function serverCopy(key: string): Promise<{ store: BenchStore; seeded: Seeded } | undefined> {
  const name = `${SERVER_PREFIX}${key}`;
  const { rows } = await admin((c) =>
    c.query<{ info: string | null }>(
      `select shobj_description(oid, 'pg_database') as info from pg_database where datname = $1`,
      [name],
    ),
  );
  const seeded = rows[0]?.info ? (JSON.parse(rows[0].info) as Seeded) : undefined;
  if (!seeded || !fresh(seeded)) return undefined;
  const copy = `hd_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create database ${copy} template ${name}`));
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${copy}`;
  const drop = () =>
    admin((c) => c.query(`drop database if exists ${copy} with (force)`)).then(() => undefined);
  return { store: { kind: 'server', databaseUrl: url.toString(), dataDir: 'memory://', drop }, seeded };
}

async function keepServer(key: string, store: BenchStore, seeded: Seeded): Promise<void> {
  const name = `${SERVER_PREFIX}${key}`;
  const source = new URL(store.databaseUrl!).pathname.slice(1);
  await admin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `select datname from pg_database where datname like '${SERVER_PREFIX}%'`,
    );
    for (const row of rows) await c.query(`drop database if exists ${row.datname} with (force)`);
    await c.query(`create database ${name} template ${source}`);
    await c.query(`comment on database ${name} is '${JSON.stringify(seeded).replace(/'/g, "''")}'`);
  });
}
