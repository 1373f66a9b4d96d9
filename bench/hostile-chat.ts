import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Update } from 'grammy/types';
import { TelegramAdapter } from '../src/channels/telegram/telegram-adapter.js';
import type { FakeTelegramApi } from '../test/helpers/fake-telegram-api.js';
import {
  entityHeavyText,
  TELEGRAM_ALBUM_MAX,
  TELEGRAM_CAPTION_MAX,
  TELEGRAM_TEXT_MAX,
} from '../test/helpers/hostile-chat.js';
import { openBenchStore, startBenchApp } from './bench-app.js';
import { sleep } from './stats.js';

/** Telegram updates at the platform's limits, queued in the orchestrator's fake Bot API. */
export function hostileUpdates(fake: FakeTelegramApi, rounds = 3): Update[] {
  const text = entityHeavyText(TELEGRAM_TEXT_MAX);
  const caption = entityHeavyText(TELEGRAM_CAPTION_MAX);
  const file = new Uint8Array(1024 * 1024).fill(7);
  const updates: Update[] = [];
  for (let round = 0; round < rounds; round++) {
    const fromId = 7_000_000 + round;
    updates.push(
      fake.textMessage({ fromId, text: text.text, entities: text.entities }),
      fake.photoMessage({ fromId, content: file, caption: caption.text, captionEntities: caption.entities }),
      ...fake.albumMessages({
        fromId,
        items: Array.from({ length: TELEGRAM_ALBUM_MAX }, (_, i) => ({
          kind: i % 2 ? ('document' as const) : ('photo' as const),
          content: file,
          caption: i === 0 ? caption.text : undefined,
          fileName: `scansione-${i}.pdf`,
        })),
      }),
    );
  }
  return updates;
}

/** API bodies up to the 256 KB limit of /api/v1 shaped to cost the most, and one over it (see test/api/api-stalls.test.ts). */
function costlyBodies(ticket: number): Array<{ path: string; body: string }> {
  const depth = 120_000;
  const keys = Array.from({ length: 15_000 }, (_, i) => `"k${i}":${i}`).join(',');
  const identities = Array.from(
    { length: 5_000 },
    (_, i) => `{"kind":"email","address":"u${i}@example.org"}`,
  );
  const messages = `/api/v1/tickets/${ticket}/messages`;
  return [
    { path: messages, body: `{"author":"Tecnico","text":${'['.repeat(depth)}${']'.repeat(depth)}}` },
    { path: messages, body: `{"author":"Tecnico","text":"ok",${keys}}` },
    { path: messages, body: JSON.stringify({ author: 'Tecnico', text: 'x'.repeat(250_000) }) },
    { path: messages, body: JSON.stringify({ author: 'Tecnico', text: '\u0000'.repeat(40_000) }) },
    { path: '/api/v1/customers', body: `{"name":"Molti","identities":[${identities.join(',')}]}` },
    { path: messages, body: `{"author":"T","text":"${'y'.repeat(1_200_000)}"}` },
  ];
}

export interface ChatStallResult {
  updates: number;
  requests: number;
  telegramMaxDelayMs: number;
  apiMaxDelayMs: number;
}

/**
 * Starts the app with the Telegram adapter polling the orchestrator's fake Bot API, where
 * `updates` updates at the limits wait, and measures the longest event-loop delay until all are
 * stored; then posts the costly API bodies, five rounds, and measures it again. The API client
 * runs in this process (its share of the delay is sending the bodies).
 */
export async function benchChatStalls(options: {
  telegram: { token: string; apiRoot: string };
  updates: number;
}): Promise<ChatStallResult> {
  const store = await openBenchStore();
  const app = await startBenchApp(store, {
    workers: false,
    adapters: (_context, core) => [
      new TelegramAdapter({
        settings: { token: options.telegram.token, apiRoot: options.telegram.apiRoot },
        core,
        pollTimeoutSeconds: 1,
      }),
    ],
  });
  try {
    const telegramDelay = monitorEventLoopDelay({ resolution: 10 });
    telegramDelay.enable();
    const deadline = Date.now() + 300_000;
    for (;;) {
      const { rows } = await app.database.sql.query<{ n: number }>(
        "select count(*)::int as n from messages where channel = 'telegram' and direction = 'inbound'",
      );
      if (rows[0]!.n >= options.updates) break;
      if (Date.now() > deadline) throw new Error(`only ${rows[0]!.n} of ${options.updates} updates stored`);
      await sleep(50);
    }
    await sleep(50);
    telegramDelay.disable();
    const { rows } = await app.database.sql.query<{ number: number }>('select number from tickets limit 1');
    const bodies = costlyBodies(rows[0]?.number ?? 1000);
    const apiDelay = monitorEventLoopDelay({ resolution: 10 });
    apiDelay.enable();
    let requests = 0;
    for (let round = 0; round < 5; round++) {
      for (const { path, body } of bodies) {
        const response = await fetch(`${app.url}${path}`, {
          method: 'POST',
          headers: { authorization: 'Bearer bench-api-token-0123456789', 'content-type': 'application/json' },
          body,
        });
        await response.arrayBuffer();
        requests++;
      }
    }
    await sleep(50);
    apiDelay.disable();
    return {
      updates: options.updates,
      requests,
      telegramMaxDelayMs: telegramDelay.max / 1e6,
      apiMaxDelayMs: apiDelay.max / 1e6,
    };
  } finally {
    await app.stop();
    await store.drop();
  }
}
