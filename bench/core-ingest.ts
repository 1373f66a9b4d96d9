import type { RunningApp } from '../src/app.js';
import type { InboundMessage } from '../src/core/channel.js';
import { createReplyToken } from '../src/core/reply-token.js';
import { TestChannel } from '../test/helpers/test-channel.js';
import { baselineTask } from './baseline.js';
import { benchMessage, createCustomers, openBenchStore, seededRandom, startBenchApp } from './bench-app.js';
import { MB, median, now, percentile, ratePerSecond, runOpenLoop } from './stats.js';

export interface CoreIngestRound {
  /** Messages per second, one ingest at a time. */
  sequential: number;
  /** Messages per second with `concurrency` ingests in flight. */
  concurrent: number;
  /** Open-loop latency at `offeredRate` messages/s, ms from each message's scheduled arrival. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Baseline transactions per second, one at a time and at `concurrency`. */
  baselineSequential: number;
  baselineConcurrent: number;
}

export interface CoreIngestResult extends CoreIngestRound {
  /** Each figure above is the median over these rounds. */
  rounds: CoreIngestRound[];
  concurrency: number;
  offeredRate: number;
  /** Resident memory at the end of the ingest measurements. */
  rssMb: number;
  /** Outcome counts of the measured messages (checks the mix). */
  outcomes: Record<string, number>;
  setupSeconds: number;
}

export interface CoreIngestOptions {
  customers: number;
  runs: number;
  /** Length of each throughput measurement. */
  seconds: number;
  concurrency: number;
  openLoopMessages: number;
  offeredRate: number;
}

export const CORE_DEFAULTS: CoreIngestOptions = {
  customers: 500,
  runs: 3,
  seconds: 3,
  concurrency: 8,
  openLoopMessages: 600,
  offeredRate: 200,
};

interface OpenTicket {
  number: number;
  externalId: string;
}

/**
 * The realistic mix: 70% replies to an open ticket of the sender (a third each pointing at it by
 * subject tag number, by our reply token, and by the external id of the message replied to), 20%
 * new tickets from known customers, 10% unknown senders.
 */
export function messageMix(
  app: RunningApp,
  customers: string[],
  tickets: Map<string, OpenTicket>,
  seed: number,
): (index: number) => InboundMessage {
  const random = seededRandom(seed);
  let strangers = 0;
  return (index) => {
    const r = random();
    const address = customers[Math.floor(random() * customers.length)]!;
    const sender = { kind: 'test' as const, address };
    if (r < 0.7) {
      const ticket = tickets.get(address)!;
      const how = index % 3;
      const thread: InboundMessage['thread'] =
        how === 0
          ? { ticketNumber: ticket.number }
          : how === 1
            ? { replyTokens: [createReplyToken(app.core.replyTokenSecret, ticket.number)] }
            : { inReplyTo: [ticket.externalId] };
      return benchMessage('test', sender, thread, `Re: [#${ticket.number}] Stampante di rete`);
    }
    if (r < 0.9) return benchMessage('test', sender);
    strangers++;
    return benchMessage('test', { kind: 'test', address: `stranger-${seed}-${strangers}` });
  };
}

/** Starts an app with workers off, 500 customers and one open ticket each. */
async function prepare(app: RunningApp, count: number) {
  const customers = await createCustomers(app.core, count, 'test', (i) => `cust-${i}`);
  const tickets = new Map<string, OpenTicket>();
  for (const address of customers) {
    const message = benchMessage('test', { kind: 'test', address });
    const outcome = await app.channelContext.ingest(message);
    if (outcome.status !== 'new_ticket') throw new Error(`setup ingest gave ${outcome.status}`);
    tickets.set(address, { number: outcome.ticketNumber, externalId: message.externalId });
  }
  return { customers, tickets };
}

export async function benchCoreIngest(options: CoreIngestOptions = CORE_DEFAULTS): Promise<CoreIngestResult> {
  const store = await openBenchStore();
  const started = now();
  const app = await startBenchApp(store, { workers: false, adapters: () => [new TestChannel()] });
  try {
    const { customers, tickets } = await prepare(app, options.customers);
    const outcomes: Record<string, number> = {};
    let seed = 0;
    const mix = () => {
      const next = messageMix(app, customers, tickets, ++seed);
      let index = 0;
      return async () => {
        const outcome = await app.channelContext.ingest(next(index++));
        outcomes[outcome.status] = (outcomes[outcome.status] ?? 0) + 1;
      };
    };
    const baseline = baselineTask(app);
    // Warm-up: JIT, statement caches, the pg pool.
    await ratePerSecond(1000, options.concurrency, mix());
    await ratePerSecond(500, options.concurrency, baseline);
    const setupSeconds = (now() - started) / 1000;
    for (const key of Object.keys(outcomes)) delete outcomes[key];

    const ms = options.seconds * 1000;
    const rounds: CoreIngestRound[] = [];
    for (let round = 0; round < options.runs; round++) {
      const sequential = await ratePerSecond(ms, 1, mix());
      const concurrent = await ratePerSecond(ms, options.concurrency, mix());
      const task = mix();
      const latencies = await runOpenLoop(options.openLoopMessages, 1000 / options.offeredRate, task);
      const baselineSequential = await ratePerSecond(ms / 2, 1, baseline);
      const baselineConcurrent = await ratePerSecond(ms / 2, options.concurrency, baseline);
      rounds.push({
        sequential,
        concurrent,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        maxMs: percentile(latencies, 100),
        baselineSequential,
        baselineConcurrent,
      });
    }
    const rssMb = process.memoryUsage.rss() / MB;
    const mid = (key: keyof CoreIngestRound) => median(rounds.map((r) => r[key]));
    return {
      sequential: mid('sequential'),
      concurrent: mid('concurrent'),
      p50Ms: mid('p50Ms'),
      p99Ms: mid('p99Ms'),
      maxMs: mid('maxMs'),
      baselineSequential: mid('baselineSequential'),
      baselineConcurrent: mid('baselineConcurrent'),
      rounds,
      concurrency: options.concurrency,
      offeredRate: options.offeredRate,
      rssMb,
      outcomes,
      setupSeconds,
    };
  } finally {
    await app.stop();
    await store.drop();
  }
}
