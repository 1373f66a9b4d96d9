import { createReplyToken } from '../src/core/reply-token.js';
import { TestChannel } from '../test/helpers/test-channel.js';
import { benchMessage, createCustomers, openBenchStore, startBenchApp } from './bench-app.js';
import {
  installServerStatementTimings,
  installStatementTimings,
  postgresCpuSeconds,
  statementReport,
  statementTimings as timings,
} from './statement-timings.js';

/**
 * `npx tsx bench/statements.ts`: what one ingest costs, per kind of message — statements sent,
 * time inside them, wall and CPU time (with DATABASE_URL also the CPU of the postgres processes on
 * this machine) — and the costliest statements. A profiling aid for the core-ingest figure.
 */
if (process.env.DATABASE_URL) installServerStatementTimings();
else installStatementTimings();

async function main(): Promise<void> {
  const store = await openBenchStore();
  const app = await startBenchApp(store, { workers: false, adapters: () => [new TestChannel()] });
  try {
    const customers = await createCustomers(app.core, 200, 'test', (i) => `cust-${i}`);
    const tickets: number[] = [];
    const firstMessages: string[] = [];
    for (const address of customers) {
      const message = benchMessage('test', { kind: 'test', address });
      const outcome = await app.channelContext.ingest(message);
      if (outcome.status === 'new_ticket') tickets.push(outcome.ticketNumber);
      firstMessages.push(message.externalId);
    }
    const kinds: Record<string, (i: number) => ReturnType<typeof benchMessage>> = {
      'reply (ticket tag)': (i) =>
        benchMessage(
          'test',
          { kind: 'test', address: customers[i % 200]! },
          { ticketNumber: tickets[i % 200] },
        ),
      'reply (in-reply-to)': (i) =>
        benchMessage(
          'test',
          { kind: 'test', address: customers[i % 200]! },
          { inReplyTo: [firstMessages[i % 200]!] },
        ),
      'reply (token)': (i) =>
        benchMessage(
          'test',
          { kind: 'test', address: customers[i % 200]! },
          { replyTokens: [createReplyToken(app.core.replyTokenSecret, tickets[i % 200]!)] },
        ),
      'new ticket': (i) => benchMessage('test', { kind: 'test', address: customers[i % 200]! }),
      'unknown sender': (i) => benchMessage('test', { kind: 'test', address: `stranger-${i}-${Date.now()}` }),
    };
    const count = Number(process.env.N ?? 400);
    // ROUNDS=n repeats the whole profile on the growing store: costs that grow with the data show.
    const rounds = Number(process.env.ROUNDS ?? 1);
    for (let round = 1; round <= rounds; round++)
      for (const [kind, make] of Object.entries(kinds)) {
        for (let i = 0; i < 100; i++) await app.channelContext.ingest(make(i));
        timings.clear();
        const cpu = process.cpuUsage();
        const serverCpu = postgresCpuSeconds();
        const start = performance.now();
        for (let i = 0; i < count; i++) await app.channelContext.ingest(make(i));
        const wall = (performance.now() - start) / count;
        const used = process.cpuUsage(cpu);
        const serverMs = ((postgresCpuSeconds() - serverCpu) * 1000) / count;
        const entries = [...timings.entries()];
        const statements = entries.reduce((n, [, t]) => n + t.count, 0) / count;
        const inQuery = entries.reduce((n, [, t]) => n + t.ms, 0) / count;
        console.log(
          `\n${rounds > 1 ? `round ${round}, ` : ''}${kind}: ${statements.toFixed(1)} calls/msg (BEGIN and COMMIT included), ${inQuery.toFixed(2)} ms in them, ` +
            `${wall.toFixed(2)} ms wall, ${((used.user + used.system) / 1000 / count).toFixed(2)} ms CPU per message` +
            (process.env.DATABASE_URL ? `, ${serverMs.toFixed(2)} ms CPU of postgres processes` : ''),
        );
        for (const line of statementReport(count)) console.log(line);
      }
  } finally {
    await app.stop();
    await store.drop();
  }
}

await main();
