import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DataDirPermissionsError } from './errors.js';

/** Group write or any access by others: what PostgreSQL refuses on its data directory. */
const TOO_OPEN = 0o027;

/**
 * Makes `dataDir` ready for the embedded store: created 0700 when missing; refused with
 * {@link DataDirPermissionsError} when it exists and other users can read it or group members can
 * write it (PostgreSQL's rule: 0700 or 0750). Files created afterwards by this process are private
 * (umask 077), and files left readable by others (older versions, PGlite) are made private.
 */
export function prepareDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mode = statSync(dataDir).mode & 0o777;
  if (mode & TOO_OPEN) throw new DataDirPermissionsError(path.resolve(dataDir), mode);
  try {
    process.umask(0o077);
  } catch {
    // Worker threads cannot change the umask; the directory's own mode still keeps others out.
  }
  tightenFiles(dataDir);
}

/**
 * Takes group and other permissions off every file under `dir`. PGlite's file system layer
 * creates its files 0666 whatever the umask; the 0700 directory already keeps others out, and
 * this runs at open and at close so the files themselves are private too.
 */
export function tightenFiles(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    const mode = lstatSync(file).mode & 0o777;
    if (mode & 0o077) chmodSync(file, mode & 0o700);
    if (entry.isDirectory()) tightenFiles(file);
  }
}
