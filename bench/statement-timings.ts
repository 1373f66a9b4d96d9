import { readdirSync, readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * Times every call the embedded store makes into PGlite, keyed by SQL text. Profiling aid for
 * `bench/statements.ts` and for bench sections run with `BENCH_STATEMENTS=1` (embedded only: every
 * statement reaches PGlite through execProtocolRawSync, see src/db/embedded-connection.ts).
 */
const timings = new Map<string, { count: number; ms: number }>();
const statementText = new Map<string, string>();
const decoder = new TextDecoder();

/** The C string at `offset` in a protocol message, and the offset after it. */
function cString(bytes: Uint8Array, offset: number): [string, number] {
  const end = bytes.indexOf(0, offset);
  return [decoder.decode(bytes.subarray(offset, end)), end + 1];
}

/** What a batch sent to PGlite runs: the SQL of its Parse, Bind or simple Query message. */
function describeBatch(bytes: Uint8Array): string {
  const code = String.fromCharCode(bytes[0]!);
  if (code === 'Q') return `exec: ${cString(bytes, 5)[0]}`;
  if (code === 'P') {
    const [name, next] = cString(bytes, 5);
    const text = cString(bytes, next)[0];
    statementText.set(name, text);
    return `prepare: ${text}`;
  }
  if (code === 'B') {
    const [, next] = cString(bytes, 5);
    const name = cString(bytes, next)[0];
    return `execute: ${statementText.get(name) ?? name}`;
  }
  return `other: ${code}`;
}

export function installStatementTimings(): void {
  const proto = PGlite.prototype as unknown as Record<string, unknown>;
  const execProtocolRawSync = proto.execProtocolRawSync as (this: PGlite, message: Uint8Array) => Uint8Array;
  proto.execProtocolRawSync = function (this: PGlite, message: Uint8Array) {
    const start = performance.now();
    try {
      return execProtocolRawSync.call(this, message);
    } finally {
      const key = describeBatch(message).replace(/\s+/g, ' ').slice(0, 110);
      const entry = timings.get(key) ?? { count: 0, ms: 0 };
      entry.count++;
      entry.ms += performance.now() - start;
      timings.set(key, entry);
    }
  };
}

/** The same for a PostgreSQL server: every node-postgres query, timed until its result arrives. */
export function installServerStatementTimings(): void {
  const proto = pg.Client.prototype as unknown as Record<string, unknown>;
  const query = proto.query as (this: unknown, ...args: unknown[]) => unknown;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : (first?.text ?? '?');
    const start = performance.now();
    const result = query.apply(this, args);
    if (result instanceof Promise) {
      result
        .finally(() => {
          const key = `query: ${text}`.replace(/\s+/g, ' ').slice(0, 110);
          const entry = timings.get(key) ?? { count: 0, ms: 0 };
          entry.count++;
          entry.ms += performance.now() - start;
          timings.set(key, entry);
        })
        .catch(() => undefined);
    }
    return result;
  };
}

/** CPU seconds used so far by every process named postgres on this machine (Linux /proc). */
export function postgresCpuSeconds(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended while being read.
    }
  }
  return ticks / 100;
}

export { timings as statementTimings };

/** The costliest statements so far, one line each, per `count` units of work (messages, mails). */
export function statementReport(count: number, top = 12): string[] {
  const entries = [...timings.entries()].sort((a, b) => b[1].ms - a[1].ms);
  return entries
    .slice(0, top)
    .map(
      ([key, t]) =>
        `  ${(t.ms / count).toFixed(3)} ms/unit  ${(t.count / count).toFixed(2)}×  ${((t.ms / t.count) * 1000).toFixed(0).padStart(5)} µs  ${key}`,
    );
}
