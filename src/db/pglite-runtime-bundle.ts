import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * PGlite's file bundle (`pglite.data`, ~6 MB) holds PostgreSQL's `share/` and `lib/` trees: the
 * in-memory files are views of one ArrayBuffer, resident for the life of the process. A cluster
 * that already exists needs only some of them; these paths (under `/pglite/`) are read by initdb
 * alone or by features this app never uses, so on a resume they are left unread. Long reasoning
 * and figures: docs/performance.md "Memory".
 */
const RUNTIME_SKIPPED: readonly RegExp[] = [
  // initdb's catalog bootstrap and the SQL and samples it runs or copies once.
  /^share\/postgresql\/(postgres\.bki|information_schema\.sql|system_\w+\.sql|snowball_create\.sql|sql_features\.txt|errcodes\.txt|[\w.]+\.sample)$/,
  // Makefiles and headers for building extensions.
  /^lib\/postgresql\/pgxs\//,
  // The East Asian conversion tables (1.8 MB): the cluster and every client here are UTF8, and
  // mail charsets are decoded in JavaScript. The small Western ones stay, so `convert_from(bytes,
  // 'LATIN1')` still works; converting to one of these from SQL fails with a clear error.
  /^lib\/postgresql\/utf8_and_(big5|euc\w*|gb18030|gbk|johab|sjis\w*|uhc)\.so$/,
  // Streaming and logical replication.
  /^lib\/postgresql\/(libpqwalreceiver|pgoutput)\.so$/,
  // ICU collation data: initdb creates the cluster with the libc provider (C.UTF-8).
  /^icu\//,
];

/** One file of the bundle: a byte range [start, end) of `pglite.data`. */
export interface BundledFile {
  filename: string;
  start: number;
  end: number;
}

/** What PGlite's `fsBundle` option reads: anything with `arrayBuffer()`. */
export interface FsBundle {
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** PGlite's `dist/` directory, where `pglite.data` and its loader `pglite.js` are. */
function pgliteDist(): string {
  return path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
}

/**
 * The bundle's file list, from the metadata the Emscripten file packager wrote into `pglite.js`.
 * Undefined when it cannot be read or does not cover `size` bytes end to end (another PGlite
 * build): the caller then lets PGlite load the whole bundle.
 */
export function bundledFiles(loaderSource: string, size: number): BundledFile[] | undefined {
  const declared = /remote_package_size:(\d+)/.exec(loaderSource);
  if (!declared || Number(declared[1]) !== size) return undefined;
  const files: BundledFile[] = [];
  for (const m of loaderSource.matchAll(/\{filename:"([^"]+)",start:(\d+),end:(\d+)\}/g)) {
    files.push({ filename: m[1] as string, start: Number(m[2]), end: Number(m[3]) });
  }
  let offset = 0;
  for (const file of files) {
    if (file.start !== offset || file.end < file.start) return undefined;
    offset = file.end;
  }
  return files.length > 0 && offset === size ? files : undefined;
}

/** Whether a bundled file is left unread when resuming an existing cluster. */
export function skippedAtRuntime(filename: string): boolean {
  const relative = filename.replace(/^\/pglite\//, '');
  return relative !== filename && RUNTIME_SKIPPED.some((pattern) => pattern.test(relative));
}

/**
 * The file bundle for resuming an existing cluster: a buffer the size of `pglite.data` in which
 * only the files PostgreSQL reads after initdb are filled in. The rest stays zero and, never
 * written, is never made resident by the OS (a fresh allocation of this size is mapped lazily).
 * Undefined when the bundle's layout is not the one expected (PGlite then loads its own).
 *
 * @param dist PGlite's `dist/` directory (tests pass another).
 */
export function runtimeFsBundle(dist = pgliteDist()): FsBundle | undefined {
  const dataFile = path.join(dist, 'pglite.data');
  let files: BundledFile[] | undefined;
  try {
    files = bundledFiles(readFileSync(path.join(dist, 'pglite.js'), 'utf8'), statSync(dataFile).size);
  } catch {
    return undefined;
  }
  if (!files) return undefined;
  const ranges: Array<[number, number]> = [];
  for (const file of files) {
    if (skippedAtRuntime(file.filename) || file.end === file.start) continue;
    const last = ranges.at(-1);
    if (last && last[1] === file.start) last[1] = file.end;
    else ranges.push([file.start, file.end]);
  }
  const size = files.at(-1)!.end;
  return {
    async arrayBuffer() {
      const buffer = new ArrayBuffer(size);
      const fd = openSync(dataFile, 'r');
      try {
        for (const [start, end] of ranges) {
          const view = new Uint8Array(buffer, start, end - start);
          for (let done = 0; done < view.length; ) {
            const read = readSync(fd, view, done, view.length - done, start + done);
            if (read === 0) throw new Error(`pglite.data ended at ${start + done} of ${size} bytes`);
            done += read;
          }
        }
      } finally {
        closeSync(fd);
      }
      return buffer;
    },
  };
}
