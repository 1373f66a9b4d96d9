import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';

/**
 * Migrated stores to copy for each test, instead of migrating a fresh one per test file: a fresh
 * PGlite runs initdb and every migration (~2 s per file on a quiet machine, much more on a loaded
 * one); loading a migrated data directory skips both. The app still runs its migration check on
 * open, so a pending migration applies as in production.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const migrationsFolder = path.join(root, 'drizzle');
/** Names the server template database for test processes (set by global setup). */
export const SERVER_TEMPLATE_ENV = 'HELPDESK_TEST_TEMPLATE_DB';

/** Changes with any migration file or the PGlite version (its data directory format). */
function templateKey(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(name).update(readFileSync(file));
    }
  };
  walk(migrationsFolder);
  const pglitePackage = path.join(root, 'node_modules/@electric-sql/pglite/package.json');
  hash.update(JSON.parse(readFileSync(pglitePackage, 'utf8')).version as string);
  return hash.digest('hex').slice(0, 16);
}

/**
 * A tarball held in memory whose `arrayBuffer()` hands back the same bytes without copying them.
 * PGlite reads `loadDataDir` once with `arrayBuffer()` and only copies pieces out of it (untar),
 * so every store of a test process can share one buffer; a plain `Blob` copies all of it through
 * a stream on each read (~40 MB, a quarter of a second per store on a busy machine).
 */
class SharedTarball extends Blob {
  constructor(private readonly shared: ArrayBuffer) {
    super([]);
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(this.shared);
  }
}

let embedded: Promise<Blob> | undefined;

/**
 * The embedded store's migrated data directory (a tarball), built once and cached in the temp
 * folder under a key of the migrations, so parallel test processes and later runs share it.
 */
export function embeddedTemplate(): Promise<Blob> {
  embedded ??= embeddedTemplateFile().then((file) => {
    const bytes = readFileSync(file);
    return new SharedTarball(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  });
  return embedded;
}

let embeddedFile: Promise<string> | undefined;

/** The path of the embedded template's tarball, built first when missing (global setup). */
export function embeddedTemplateFile(): Promise<string> {
  embeddedFile ??= buildEmbeddedIfMissing();
  return embeddedFile;
}

async function buildEmbeddedIfMissing(): Promise<string> {
  const file = path.join(tmpdir(), `helpdesk-test-store-${templateKey()}.tar`);
  if (existsSync(file)) return file;
  const client = new PGlite();
  await migratePglite(drizzlePglite(client), { migrationsFolder });
  const blob = await client.dumpDataDir('none');
  await client.close();
  // Written aside then renamed: a process reading it never sees half a file.
  const partial = `${file}.${randomBytes(4).toString('hex')}`;
  writeFileSync(partial, Buffer.from(await blob.arrayBuffer()));
  renameSync(partial, file);
  return file;
}

/**
 * Fills the embedded store's directory under `dataDir` (where `openDatabase` keeps it) with the
 * migrated template, so a store on disk starts like the in-memory ones instead of running initdb
 * and every migration (~5 s on a quiet machine). `tar` writes the files directly; PGlite would
 * write them one by one through its file system layer (~2 s).
 */
export async function seedEmbeddedDataDir(dataDir: string): Promise<void> {
  const target = path.join(dataDir, 'pglite');
  mkdirSync(target, { recursive: true, mode: 0o700 });
  // Quiet: GNU tar says it drops the members' leading "/"; a real failure still throws.
  execFileSync('tar', ['-xf', await embeddedTemplateFile(), '-C', target], { stdio: 'pipe' });
}

/**
 * Creates and migrates a template database on the server; returns its name. Databases made
 * `TEMPLATE` it are copies of the migrated schema. Drop it with {@link dropServerTemplate}.
 */
export async function createServerTemplate(serverUrl: string): Promise<string> {
  const name = `hd_template_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // One connection, closed before use: PostgreSQL copies a template nobody is connected to.
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  try {
    await migrateNodePg(drizzleNodePg(pool), { migrationsFolder });
  } finally {
    await pool.end();
  }
  return name;
}

export async function dropServerTemplate(serverUrl: string, name: string): Promise<void> {
  await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}
