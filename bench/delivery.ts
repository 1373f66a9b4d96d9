import type { RunningApp } from '../src/app.js';
import { EmailAdapter } from '../src/channels/email/email-adapter.js';
import type { ChannelAdapter, ChannelName, IdentityKind } from '../src/core/channel.js';
import type { CoreContext } from '../src/core/core-context.js';
import { createLogger } from '../src/logger.js';
import type { FakeTelegramApi } from '../test/helpers/fake-telegram-api.js';
import { TestChannel } from '../test/helpers/test-channel.js';
import { benchMessage, createCustomers, openBenchStore, startBenchApp } from './bench-app.js';
import { emailSettings, IDLE_USER } from './email.js';
import { median, sleep, waitUntil } from './stats.js';

export interface DeliveryResult {
  channel: ChannelName;
  deliveries: number;
  /** Deliveries per second of each run. */
  runs: number[];
  perSecond: number;
  note?: string;
}

/** Loads the Telegram adapter if this checkout has one (it is being written alongside). */
export async function loadTelegramAdapter(): Promise<TelegramModules> {
  try {
    const module = await import('../src/channels/telegram/telegram-adapter.js');
    const fake = await import('../test/helpers/fake-telegram-api.js');
    return { TelegramAdapter: module.TelegramAdapter, FakeTelegramApi: fake.FakeTelegramApi };
  } catch (error) {
    return { missing: (error as Error).message };
  }
}

type TelegramModules =
  | {
      TelegramAdapter: typeof import('../src/channels/telegram/telegram-adapter.js').TelegramAdapter;
      FakeTelegramApi: typeof FakeTelegramApi;
    }
  | { missing: string };

const KIND: Record<string, IdentityKind> = { test: 'test', email: 'email', telegram: 'telegram' };
const address = (channel: string, i: number) =>
  channel === 'email'
    ? `dest${i}@cliente.example`
    : channel === 'telegram'
      ? String(5_000_000 + i)
      : `dest-${i}`;

/**
 * Delivery throughput: `count` acknowledgements per channel are queued by ingesting new-ticket
 * messages; then, per channel and run, all of that channel's deliveries are put back in the queue in
 * one transaction (status `queued` and one pg-boss job each, as the core enqueues them) and the
 * workers (batch size `batchSize`, polling at its fastest) send them to the local fakes: the
 * TestChannel, smtp-capture through the EmailAdapter, the fake Bot API through the Telegram adapter.
 * Figure: deliveries / (last `sent_at` − commit of the re-queue).
 */
export async function benchDelivery(options: {
  count: number;
  runs: number;
  batchSize: number;
  imapPort: number;
  smtpPort: number;
  /** The fake Bot API (run by run.ts, like smtp-capture, outside the measured process). */
  telegram?: { token: string; apiRoot: string };
  telegramMissing?: string;
}): Promise<DeliveryResult[]> {
  const telegram = options.telegram ? await loadTelegramAdapter() : undefined;
  const fake = telegram && 'TelegramAdapter' in telegram ? options.telegram : undefined;
  const store = await openBenchStore();
  let app: RunningApp | undefined;
  try {
    const smtpPort = options.smtpPort;
    const channels: ChannelName[] = ['test', 'email', ...(fake ? (['telegram'] as const) : [])];
    app = await startBenchApp(store, {
      workers: true,
      workerBatchSize: options.batchSize,
      env: { WORKER_POLL_MS: '100' },
      adapters: (_context, core: CoreContext) => {
        const adapters: ChannelAdapter[] = [
          new TestChannel(),
          new EmailAdapter(emailSettings(options.imapPort, IDLE_USER, smtpPort), createLogger('silent')),
        ];
        if (fake && telegram && 'TelegramAdapter' in telegram) {
          adapters.push(
            new telegram.TelegramAdapter({
              settings: { token: fake.token, apiRoot: fake.apiRoot },
              core,
              pollTimeoutSeconds: 1,
            }),
          );
        }
        return adapters;
      },
    });
    const running = app;
    for (const channel of channels) {
      const kind = KIND[channel]!;
      const addresses = await createCustomers(running.core, 100, kind as 'test', (i) => address(channel, i));
      for (let i = 0; i < options.count; i++) {
        const to = addresses[i % addresses.length]!;
        const thread = channel === 'telegram' ? { conversationId: to } : {};
        await running.channelContext.ingest(benchMessage(channel, { kind, address: to }, thread));
      }
    }
    await settle(running, 120_000);

    const results: DeliveryResult[] = [];
    for (const channel of channels) {
      const runs: number[] = [];
      for (let run = 0; run < options.runs; run++) runs.push(await redeliver(running, channel));
      results.push({ channel, deliveries: options.count, runs, perSecond: median(runs) });
    }
    if (!fake) {
      results.push({
        channel: 'telegram',
        deliveries: 0,
        runs: [],
        perSecond: Number.NaN,
        note: `skipped: ${options.telegramMissing ?? 'no Telegram adapter'}`,
      });
    }
    return results;
  } finally {
    await app?.stop();
    await store.drop();
  }
}

async function settle(app: RunningApp, timeoutMs: number): Promise<void> {
  await waitUntil(
    async () => {
      const { rows } = await app.database.sql.query<{ n: number }>(
        "select count(*)::int as n from deliveries where status in ('queued', 'sending', 'retrying')",
      );
      return rows[0]!.n === 0;
    },
    'the queued deliveries to be sent',
    timeoutMs,
    100,
  );
}

/** Puts every delivery of `channel` back in the queue at once; returns deliveries sent per second. */
async function redeliver(app: RunningApp, channel: ChannelName): Promise<number> {
  const ids = await app.database.transaction(async (tx) => {
    const { rows } = await tx.sql.query<{ id: string }>(
      `update deliveries set status = 'queued', attempts = 0, sent_at = null, last_error = null
       where channel = $1 and status = 'sent' returning id::text`,
      [channel],
    );
    for (const row of rows) await app.queue.enqueueDelivery(tx, row.id);
    return rows.map((row) => row.id);
  });
  const queuedAt = Date.now();
  app.queue.wake();
  await settle(app, 300_000);
  const { rows } = await app.database.sql.query<{ n: number; last: Date; failed: number }>(
    `select count(*) filter (where status = 'sent')::int as n, max(sent_at) as last,
            count(*) filter (where status = 'failed')::int as failed
     from deliveries where channel = $1`,
    [channel],
  );
  const row = rows[0]!;
  if (row.n !== ids.length)
    throw new Error(`${channel}: ${row.n} of ${ids.length} sent, ${row.failed} failed`);
  await sleep(200);
  return ids.length / ((new Date(row.last).getTime() - queuedAt) / 1000);
}
