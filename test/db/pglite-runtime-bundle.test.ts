import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { bundledFiles, runtimeFsBundle, skippedAtRuntime } from '../../src/db/pglite-runtime-bundle.js';

/** Resuming an embedded store reads only part of PGlite's file bundle; the store must not notice. */
const dist = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
const loader = readFileSync(path.join(dist, 'pglite.js'), 'utf8');
const data = readFileSync(path.join(dist, 'pglite.data'));
const root = mkdtempSync(path.join(tmpdir(), 'helpdesk-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('PGlite runtime file bundle', () => {
  it('reads the installed PGlite file list end to end and skips only initdb and unused parts', () => {
    const files = bundledFiles(loader, statSync(path.join(dist, 'pglite.data')).size);
    expect(files?.length).toBeGreaterThan(500);
    const skipped = files!.filter((file) => skippedAtRuntime(file.filename)).map((file) => file.filename);
    expect(skipped).toContain('/pglite/share/postgresql/postgres.bki');
    expect(skipped).toContain('/pglite/lib/postgresql/utf8_and_gb18030.so');
    expect(skipped).not.toContain('/pglite/lib/postgresql/utf8_and_iso8859_1.so');
    expect(skipped).not.toContain('/pglite/lib/postgresql/utf8_and_win.so');
    // What a running cluster here reads: triggers, Italian and English search, time zones.
    for (const kept of [
      '/pglite/lib/postgresql/plpgsql.so',
      '/pglite/lib/postgresql/dict_snowball.so',
      '/pglite/share/postgresql/tsearch_data/italian.stop',
      '/pglite/share/postgresql/tsearch_data/english.stop',
      '/pglite/share/postgresql/timezone/Europe/Rome',
      '/pglite/share/postgresql/timezonesets/Default',
    ]) {
      expect(files!.some((file) => file.filename === kept)).toBe(true);
      expect(skippedAtRuntime(kept)).toBe(false);
    }
    const skippedBytes = files!
      .filter((file) => skippedAtRuntime(file.filename))
      .reduce((sum, file) => sum + file.end - file.start, 0);
    expect(skippedBytes).toBeGreaterThan(3_500_000);
  });

  it('fills every kept file byte for byte and leaves the skipped ones unread', async () => {
    const files = bundledFiles(loader, data.length)!;
    const buffer = new Uint8Array(await runtimeFsBundle(dist)!.arrayBuffer());
    expect(buffer.length).toBe(data.length);
    for (const file of files) {
      const got = buffer.subarray(file.start, file.end);
      if (skippedAtRuntime(file.filename)) expect(got.every((byte) => byte === 0)).toBe(true);
      else expect(Buffer.compare(got, data.subarray(file.start, file.end))).toBe(0);
    }
  });

  it('falls back to the whole bundle when the layout is not the expected one', () => {
    expect(bundledFiles(loader, data.length + 1)).toBeUndefined();
    expect(bundledFiles('remote_package_size:10 {filename:"/a",start:0,end:4}', 10)).toBeUndefined();
    expect(runtimeFsBundle(root)).toBeUndefined();
  });

  it('a store reopened from its directory still searches, runs triggers and converts time zones', async () => {
    const dataDir = path.join(root, 'store');
    const first = await openDatabase({ dataDir });
    await first.close();
    const database = await openDatabase({ dataDir });
    try {
      const search = await database.sql.query<{ it: string; en: string }>(
        `select to_tsvector('italian', 'Le stampanti della contabilità non stampano')::text as it,
                to_tsvector('english', 'The printers are not printing')::text as en`,
      );
      expect(search.rows[0]).toEqual({
        // Stemmed, with the stop words (le, della, non; the, are, not) dropped.
        it: "'contabil':4 'stamp':6 'stampant':2",
        en: "'print':5 'printer':2",
      });
      await database.sql.query(`create temporary table t (n int, doubled int)`);
      await database.sql.query(
        `create function pg_temp.double_n() returns trigger language plpgsql as $$
           begin new.doubled := new.n * 2; return new; end $$`,
      );
      await database.sql.query(
        `create trigger t_double before insert on t for each row execute function pg_temp.double_n()`,
      );
      await database.sql.query(`insert into t (n) values (21)`);
      const doubled = await database.sql.query<{ doubled: number }>(`select doubled from t`);
      expect(doubled.rows).toEqual([{ doubled: 42 }]);
      const rome = await database.sql.query<{ local: string }>(
        `select (timestamptz '2026-07-01 10:00:00+00' at time zone 'Europe/Rome')::text as local`,
      );
      expect(rome.rows).toEqual([{ local: '2026-07-01 12:00:00' }]);
      // Loads the LATIN1 conversion library (a test reads kept raw mail this way).
      const latin1 = await database.sql.query<{ text: string }>(
        `select convert_from('\\x6361666509'::bytea, 'LATIN1') as text`,
      );
      expect(latin1.rows).toEqual([{ text: 'cafe\t' }]);
    } finally {
      await database.close();
    }
  });
});
