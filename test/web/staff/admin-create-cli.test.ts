import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock } from '../../../src/db/data-dir-lock.js';

// `npm run admin:create` on the embedded store while the app holds it: a clear refusal, nothing touched.
describe('npm run admin:create', () => {
  it('refuses while a running app holds the data directory', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'hd-admin-'));
    const lock = acquireDataDirLock(dataDir);
    try {
      const run = spawnSync('npx', ['tsx', 'src/admin-create.ts', '--', 'anna@shop.it'], {
        env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(run.stderr).toContain(`The app is running on ${dataDir} (process ${process.pid})`);
      expect(run.stderr).toContain('Stop the app');
      expect(run.stdout).not.toContain('set-password');
      expect(run.status).toBe(75);
    } finally {
      lock.release();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);

  it('explains its usage without an address', () => {
    const run = spawnSync('npx', ['tsx', 'src/admin-create.ts'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toContain('Usage: npm run admin:create -- EMAIL');
    expect(run.status).toBe(64);
  }, 150_000);
});
