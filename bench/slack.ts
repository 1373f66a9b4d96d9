import type { RunningApp } from '../src/app.js';
import { SlackAdapter } from '../src/channels/slack/slack-adapter.js';
import type { CoreContext } from '../src/core/core-context.js';
import { createCustomer } from '../src/core/customers.js';
import { createLogger } from '../src/logger.js';
import { FakeSlack } from '../test/helpers/fake-slack/fake-slack.js';
import { eventCallback, messageEvent } from '../test/helpers/fake-slack/slack-events.js';
import { openBenchStore, startBenchApp } from './bench-app.js';
import { loadTelegramAdapter } from './delivery.js';
import { sleep } from './stats.js';

export interface SlackResult {
  /** Technician thread reply (Socket Mode envelope sent) → Bot API fake got `sendMessage`, ms. */
  replyToTelegram: number[];
  /** Customer message ingested → shown in its Slack thread (`chat.postMessage` at the fake), ms. */
  customerToThread: number[];
}

const CHANNEL = 'CBENCH001';
const TECH = 'UBENCHTECH';

/** The 95th percentile (nearest rank). */
export const p95 = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1] ?? Number.NaN;

/**
 * Slack latency, as a technician and a customer feel it: the app with the Slack adapter in Socket
 * Mode (relay delay 0, the default 1 s pacing per channel) and the Telegram adapter, against the
 * fake Slack and the fake Bot API in this process. `samples` replies and `samples` customer
 * messages, `gapMs` apart (above the pacing, as a conversation goes).
 */
export async function benchSlack(options: { samples: number; gapMs: number }): Promise<SlackResult> {
  const telegram = await loadTelegramAdapter();
  if (!('TelegramAdapter' in telegram)) throw new Error(`no Telegram adapter: ${telegram.missing}`);
  const slack = new FakeSlack();
  await slack.start();
  slack.users.set(TECH, { display_name: 'Bench', real_name: 'Bench Tech' });
  const bot = await telegram.FakeTelegramApi.start();
  const store = await openBenchStore();
  let app: RunningApp | undefined;
  try {
    app = await startBenchApp(store, {
      env: { WORKER_POLL_MS: '100', AUTO_REPLY_LIMIT_PER_HOUR: '100' },
      adapters: (_context, core: CoreContext) => [
        new telegram.TelegramAdapter({
          settings: { token: bot.token, apiRoot: bot.apiRoot },
          core,
          pollTimeoutSeconds: 1,
        }),
        new SlackAdapter({
          settings: {
            botToken: slack.botToken,
            appToken: slack.appToken,
            apiUrl: slack.apiUrl,
            channelId: CHANNEL,
            technicians: [TECH],
            notePrefix: 'nota:',
            replyMode: 'relay',
            relayDelayMs: 0,
            command: '/helpdesk',
          },
          core,
          logger: createLogger('silent'),
          timeZone: 'Europe/Rome',
          maxFileBytes: 10 * 1024 * 1024,
          pollMs: 100,
        }),
      ],
    });
    await slack.waitFor(() => slack.connectedSockets > 0);
    await createCustomer(
      app.core,
      {
        name: 'Bench Bar',
        locale: 'it',
        status: 'active',
        identities: [{ kind: 'telegram', address: '777001' }],
      },
      'bench',
    );
    let messageId = 1;
    const ingest = (text: string) =>
      app!.channelContext.ingest({
        channel: 'telegram',
        externalId: `777001:${messageId++}`,
        sender: { kind: 'telegram', address: '777001' },
        newText: text,
        fullText: text,
        attachments: [],
        thread: { conversationId: '777001' },
        receivedAt: new Date(),
        raw: { contentType: 'application/json', data: '{}' },
      });
    await ingest('Bench: primo messaggio');
    const card = await slack.waitFor(() => slack.messages.find((m) => !m.thread_ts && m.channel === CHANNEL));
    await sleep(1500);
    const result: SlackResult = { replyToTelegram: [], customerToThread: [] };
    for (let i = 0; i < options.samples; i += 1) {
      const text = `Risposta ${i}`;
      const reply = slack.userMessage({ channel: CHANNEL, user: TECH, text, thread_ts: card.ts });
      const started = performance.now();
      await slack.sendEnvelope(
        'events_api',
        eventCallback(messageEvent({ channel: CHANNEL, user: TECH, text, ts: reply.ts, thread_ts: card.ts })),
      );
      await bot.waitForSent(
        (c) => c.method === 'sendMessage' && String(c.params.text).includes(text),
        10_000,
      );
      result.replyToTelegram.push(performance.now() - started);
      await sleep(options.gapMs);
    }
    for (let i = 0; i < options.samples; i += 1) {
      const text = `Cliente ${i}`;
      const started = performance.now();
      await ingest(text);
      await slack.waitFor(
        () => slack.messages.find((m) => m.thread_ts === card.ts && m.text.includes(text)),
        10_000,
        2,
      );
      result.customerToThread.push(performance.now() - started);
      await sleep(options.gapMs);
    }
    return result;
  } finally {
    await app?.stop();
    await store.drop();
    await bot.close();
    await slack.stop();
  }
}
