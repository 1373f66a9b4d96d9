import { PGlite } from '@electric-sql/pglite';
import { TestChannel } from '../test/helpers/test-channel.js';
import { benchMessage, createCustomers, openBenchStore, startBenchApp } from './bench-app.js';

/**
 * `npx tsx bench/statements.ts`: what one ingest costs on the embedded store, per kind of message —
 * statements sent to PGlite, time inside them, wall and CPU time — and the costliest statements.
 * A profiling aid for the core-ingest figure (embedded store only: it wraps PGlite's query/exec).
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

// Every statement of the embedded store reaches PGlite through execProtocolStream
// (src/db/embedded-connection.ts): time each call, keyed by its SQL.
const proto = PGlite.prototype as unknown as Record<string, unknown>;
const execProtocolStream = proto.execProtocolStream as (
  this: PGlite,
  message: Uint8Array,
  ...rest: unknown[]
) => Promise<unknown>;
proto.execProtocolStream = async function (this: PGlite, message: Uint8Array, ...rest: unknown[]) {
  const start = performance.now();
  try {
    return await execProtocolStream.call(this, message, ...rest);
  } finally {
    const key = describeBatch(message).replace(/\s+/g, ' ').slice(0, 110);
    const entry = timings.get(key) ?? { count: 0, ms: 0 };
    entry.count++;
    entry.ms += performance.now() - start;
    timings.set(key, entry);
  }
};

async function main(): Promise<void> {
  if (process.env.DATABASE_URL)
    throw new Error('bench/statements.ts measures the embedded store: unset DATABASE_URL');
  const store = await openBenchStore();
  const app = await startBenchApp(store, { workers: false, adapters: () => [new TestChannel()] });
  try {
    const customers = await createCustomers(app.core, 200, 'test', (i) => `cust-${i}`);
    const tickets: number[] = [];
    for (const address of customers) {
      const outcome = await app.channelContext.ingest(benchMessage('test', { kind: 'test', address }));
      if (outcome.status === 'new_ticket') tickets.push(outcome.ticketNumber);
    }
    const kinds: Record<string, (i: number) => ReturnType<typeof benchMessage>> = {
      'reply (ticket tag)': (i) =>
        benchMessage(
          'test',
          { kind: 'test', address: customers[i % 200]! },
          { ticketNumber: tickets[i % 200] },
        ),
      'new ticket': (i) => benchMessage('test', { kind: 'test', address: customers[i % 200]! }),
      'unknown sender': (i) => benchMessage('test', { kind: 'test', address: `stranger-${i}-${Date.now()}` }),
    };
    const count = Number(process.env.N ?? 400);
    for (const [kind, make] of Object.entries(kinds)) {
      for (let i = 0; i < 100; i++) await app.channelContext.ingest(make(i));
      timings.clear();
      const cpu = process.cpuUsage();
      const start = performance.now();
      for (let i = 0; i < count; i++) await app.channelContext.ingest(make(i));
      const wall = (performance.now() - start) / count;
      const used = process.cpuUsage(cpu);
      const entries = [...timings.entries()];
      const statements = entries.reduce((n, [, t]) => n + t.count, 0) / count;
      const inQuery = entries.reduce((n, [, t]) => n + t.ms, 0) / count;
      console.log(
        `\n${kind}: ${statements.toFixed(1)} calls/msg (BEGIN and COMMIT included), ${inQuery.toFixed(2)} ms in them, ` +
          `${wall.toFixed(2)} ms wall, ${((used.user + used.system) / 1000 / count).toFixed(2)} ms CPU per message`,
      );
      for (const [key, t] of entries.sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
        console.log(
          `  ${(t.ms / count).toFixed(3)} ms/msg  ${(t.count / count).toFixed(2)}×  ${((t.ms / t.count) * 1000).toFixed(0).padStart(5)} µs  ${key}`,
        );
      }
    }
  } finally {
    await app.stop();
    await store.drop();
  }
}

await main();
