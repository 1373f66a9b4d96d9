import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { embeddedTemplate, SERVER_TEMPLATE_ENV, seedEmbeddedDataDir } from './store-template.js';

/**
 * Where a test's store lives: embedded PGlite in memory by default, started from a migrated
 * template (`initialData`); with DATABASE_URL set (the CI server run), a fresh database on that
 * server per call, copied from the migrated template database when global setup made one, dropped
 * by `drop()`. Each test file is isolated, so files run in parallel.
 */
export interface TestStore {
  databaseUrl?: string;
  dataDir: string;
  /** The in-memory store's starting data directory (see `openDatabase`). */
  initialData?: Blob;
  drop(): Promise<void>;
}

export async function createTestStore(): Promise<TestStore> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    return { dataDir: 'memory://', initialData: await embeddedTemplate(), drop: async () => {} };
  const name = `hd_test_${randomBytes(6).toString('hex')}`;
  const template = process.env[SERVER_TEMPLATE_ENV];
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    dataDir: 'memory://',
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * A store that outlives the app on it, for restart and crash tests (a child process or a second
 * app opens it again): with DATABASE_URL the server database of {@link createTestStore}; embedded,
 * a data directory in the temp folder named after `prefix`, starting as a copy of the migrated
 * template like the in-memory stores, removed by `drop()`.
 */
export async function createPersistentTestStore(prefix = 'helpdesk-test-'): Promise<TestStore> {
  if (process.env.DATABASE_URL) return createTestStore();
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  await seedEmbeddedDataDir(dir);
  return { dataDir: dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}
