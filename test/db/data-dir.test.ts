import { type ChildProcess, execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDataDir } from '../../src/db/data-dir.js';
import { acquireDataDirLock } from '../../src/db/data-dir-lock.js';
import { openDatabase } from '../../src/db/database.js';

/** The embedded store's directory: private, refused when open to others, locked against a second process. */
const root = mkdtempSync(path.join(tmpdir(), 'helpdesk-datadir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function modesUnder(dir: string): Array<[string, number]> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isSymbolicLink())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return [file, statSync(file).mode & 0o777] as [string, number];
    });
}

describe('data directory', () => {
  it('creates the directory 0700 and keeps every file of the store away from other users', async () => {
    const dataDir = path.join(root, 'fresh', 'data');
    const database = await openDatabase({ dataDir });
    await database.close();
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const files = modesUnder(dataDir);
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter(([, mode]) => mode & 0o077)).toEqual([]);
  });

  it('refuses a directory other users can read, saying which chmod to run, and changes nothing', () => {
    const dataDir = path.join(root, 'open');
    prepareDataDir(dataDir);
    writeFileSync(path.join(dataDir, 'keep'), 'x');
    chmodSync(dataDir, 0o755);
    expect(() => prepareDataDir(dataDir)).toThrow(
      expect.objectContaining({
        code: 'DATA_DIR_PERMISSIONS',
        message: expect.stringContaining(`chmod 700 '${path.resolve(dataDir)}'`),
      }),
    );
    expect(readFileSync(path.join(dataDir, 'keep'), 'utf8')).toBe('x');
    chmodSync(dataDir, 0o750); // group read is what PostgreSQL allows too
    expect(() => prepareDataDir(dataDir)).not.toThrow();
  });

  it('makes files an older version left readable by others private', () => {
    const dataDir = path.join(root, 'old');
    prepareDataDir(dataDir);
    const file = path.join(dataDir, 'pglite-file');
    writeFileSync(file, 'x');
    chmodSync(file, 0o666);
    prepareDataDir(dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('lets one process hold the lock, takes over a dead owner’s, and never leaves a lock without its pid', () => {
    const dataDir = path.join(root, 'lock');
    prepareDataDir(dataDir);
    const lockFile = path.join(dataDir, 'helpdesk.lock');
    // A live process (another one than us: the one that started us) holds it.
    writeFileSync(lockFile, String(process.ppid));
    expect(() => acquireDataDirLock(dataDir)).toThrow(/already in use by process/);
    // A dead process's lock, and an empty one (a crash between create and write in older versions).
    for (const stale of ['2147483646', '']) {
      writeFileSync(lockFile, stale);
      const lock = acquireDataDirLock(dataDir);
      expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
      lock.release();
      expect(existsSync(lockFile)).toBe(false);
    }
    // No temporary files are left behind.
    expect(readdirSync(dataDir).filter((name) => name.includes('lock'))).toEqual([]);
  });

  it('lets exactly one of many processes racing for the lock win', async () => {
    const dataDir = path.join(root, 'race');
    prepareDataDir(dataDir);
    writeFileSync(path.join(dataDir, 'helpdesk.lock'), '2147483646'); // a dead owner to take over
    // The winner keeps the lock until its stdin closes, which happens once all six have answered.
    const script = `
      const { acquireDataDirLock } = await import(${JSON.stringify(path.resolve('src/db/data-dir-lock.ts'))});
      try { acquireDataDirLock(process.argv[1]); console.log('won'); process.stdin.resume(); }
      catch (error) { console.log(error.code ?? error.message); }`;
    const children: ChildProcess[] = [];
    const letGo = () => {
      for (const each of children) each.stdin?.end();
    };
    let answered = 0;
    const runs = Array.from(
      { length: 6 },
      () =>
        new Promise<string>((resolve, reject) => {
          const child = execFile(
            process.execPath,
            ['--import', 'tsx', '--input-type=module', '-e', script, dataDir],
            (error, stdout) => {
              if (!error) return resolve(stdout.trim());
              letGo();
              reject(error);
            },
          );
          children.push(child);
          child.stdout?.once('data', () => {
            answered += 1;
            if (answered === 6) letGo();
          });
        }),
    );
    const results = await Promise.all(runs);
    expect(results.filter((r) => r === 'won')).toHaveLength(1);
    expect(results.filter((r) => r === 'STORE_LOCKED')).toHaveLength(5);
  }, 60_000);
});
