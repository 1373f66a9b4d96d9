import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { StoreLockedError } from './errors.js';

/**
 * PGlite is a single-process database: two processes writing the same files corrupt them. A lock
 * file holding the owner's pid keeps a second process out; a lock left by a dead process is taken
 * over, so a crash never needs manual clean-up.
 *
 * The lock file appears atomically, already holding its pid: the pid is written to a file of our
 * own, which is then hard-linked to the lock's name (`link` fails when the name exists). So no
 * process ever reads a lock file before its pid is in it. Taking over a dead owner's lock renames
 * it away first and checks that what was renamed is the dead owner's; see docs/data-directory.md.
 */
export interface DataDirLock {
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): number | undefined {
  try {
    const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(owner) && owner > 0 ? owner : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Takes the lock of `dataDir`; throws StoreLockedError when a live process holds it. */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const file = path.join(dataDir, 'helpdesk.lock');
  const unique = () => path.join(dataDir, `.helpdesk.lock.${process.pid}.${randomBytes(6).toString('hex')}`);
  const mine = unique();
  const fd = openSync(mine, 'wx', 0o600);
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(mine, file);
        let released = false;
        return {
          release() {
            if (released) return;
            released = true;
            if (readOwner(file) === process.pid) rmSync(file, { force: true });
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = readOwner(file);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
        throw new StoreLockedError(path.resolve(dataDir), owner);
      }
      // A dead owner's lock (or one without a pid, left by an older version): move it aside, then make sure it was that one and not a fresh lock
      // another process took over in the meantime (that one goes back if its name is still free).
      const aside = unique();
      try {
        renameSync(file, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const moved = readOwner(aside);
      if (moved !== owner && moved !== undefined && isAlive(moved)) {
        try {
          linkSync(aside, file);
        } catch {
          // Its name is taken again: whoever holds it now is checked on the next attempt.
        }
      }
      rmSync(aside, { force: true });
    }
    throw new StoreLockedError(path.resolve(dataDir), readOwner(file) ?? -1);
  } finally {
    rmSync(mine, { force: true });
  }
}
