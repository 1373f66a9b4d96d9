import type { RunningApp } from '../src/app.js';
import type { ChannelAdapter, ChannelContext, OutboundMessage, SendResult } from '../src/core/channel.js';
import { DeliveryError } from '../src/core/errors.js';
import { enqueueOutbound } from '../src/core/outbound.js';
import { openBenchStore, startBenchApp } from './bench-app.js';
import { median, waitUntil } from './stats.js';

export interface BacklogResult {
  deliveries: number;
  recipients: number;
  /** Deliveries per second of each run. */
  runs: number[];
  perSecond: number;
}

/** The `test` channel as a peer that can be down: every send fails like a refused connection. */
class OutagePeer implements ChannelAdapter {
  readonly name = 'test' as const;
  down = true;
  private counter = 0;
  async start(_context: ChannelContext): Promise<void> {}
  async stop(): Promise<void> {}
  async send(_message: OutboundMessage): Promise<SendResult> {
    if (this.down) throw new DeliveryError('transient', 'connect ECONNREFUSED 127.0.0.1:25');
    return { externalId: `out-${++this.counter}` };
  }
}

/**
 * Backlog drain: `count` messages to `recipients` recipients (so `count / recipients` each, in
 * creation order) are queued while the peer is down; the first of each recipient fails and waits
 * for its retry, the rest wait behind it. Then the peer comes back and the retries come due (the
 * clock is moved, then one sweep runs, as the sweeper's next tick would). Figure: deliveries /
 * (last `sent_at` − that moment). Each run queues a fresh backlog.
 */
export async function benchBacklog(options: {
  count: number;
  recipients: number;
  runs: number;
  batchSize: number;
}): Promise<BacklogResult> {
  const store = await openBenchStore();
  const peer = new OutagePeer();
  let offset = 0;
  let app: RunningApp | undefined;
  try {
    app = await startBenchApp(store, {
      workers: true,
      workerBatchSize: options.batchSize,
      now: () => new Date(Date.now() + offset),
      // The first retry comes ~10 minutes later: the backlog waits for it, as in an outage.
      settings: { deliveryRetryBaseMs: 600_000 },
      env: { WORKER_POLL_MS: '100', DELIVERY_SWEEP_SECONDS: '3600' },
      adapters: () => [peer],
    });
    const running = app;
    const runs: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      peer.down = true;
      for (let start = 0; start < options.count; start += 500) {
        await running.database.transaction(async (tx) => {
          for (let i = start; i < Math.min(options.count, start + 500); i++) {
            await enqueueOutbound(running.core, tx, {
              channel: 'test',
              recipient: { kind: 'test', address: `backlog-${run}-${i % options.recipients}` },
              automatic: false,
              content: { text: `Messaggio ${i}`, html: `<p>Messaggio ${i}</p>` },
            });
          }
        });
        running.queue.wake();
      }
      // Every recipient's first message has failed once and waits for its retry.
      await waitUntil(
        async () => (await count(running, "status = 'retrying'")) === options.recipients,
        'the first attempts to fail',
        120_000,
        100,
      );
      peer.down = false;
      offset += 3600_000;
      const back = Date.now();
      await running.sweepDeliveries();
      await waitUntil(
        async () => (await count(running, "status in ('queued', 'sending', 'retrying')")) === 0,
        'the backlog to drain',
        600_000,
        100,
      );
      const { rows } = await running.database.sql.query<{ last: Date }>(
        'select max(sent_at) as last from deliveries',
      );
      const seconds = (new Date(rows[0]!.last).getTime() - offset - back) / 1000;
      runs.push(options.count / seconds);
    }
    return { deliveries: options.count, recipients: options.recipients, runs, perSecond: median(runs) };
  } finally {
    await app?.stop();
    await store.drop();
  }
}

async function count(app: RunningApp, where: string): Promise<number> {
  const { rows } = await app.database.sql.query<{ n: number }>(
    `select count(*)::int as n from deliveries where ${where}`,
  );
  return rows[0]!.n;
}
