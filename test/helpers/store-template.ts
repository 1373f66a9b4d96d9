import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
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

let embedded: Promise<Blob> | undefined;

/**
 * The embedded store's migrated data directory (a tarball), built once and cached in the temp
 * folder under a key of the migrations, so parallel test processes and later runs share it.
 */
export function embeddedTemplate(): Promise<Blob> {
  embedded ??= loadOrBuildEmbedded();
  return embedded;
}

async function loadOrBuildEmbedded(): Promise<Blob> {
  const file = path.join(tmpdir(), `helpdesk-test-store-${templateKey()}.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const client = new PGlite();
  await migratePglite(drizzlePglite(client), { migrationsFolder });
  const blob = await client.dumpDataDir('none');
  await client.close();
  // Written aside then renamed: a process reading it never sees half a file.
  const partial = `${file}.${randomBytes(4).toString('hex')}`;
  writeFileSync(partial, Buffer.from(await blob.arrayBuffer()));
  renameSync(partial, file);
  return blob;
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
