import { afterAll, describe, expect, it, vi } from 'vitest';
import { OFFSET_CHECKPOINT } from '../../../src/channels/telegram/telegram-polling.js';
import { FakeTelegramApi } from '../../helpers/fake-telegram-api.js';
import type { TestStore } from '../../helpers/test-database.js';
import {
  newUserId,
  persistentStore,
  sentTo,
  startTelegramApp,
  storedInbound,
  waitForText,
} from './telegram-kit.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('Telegram polling offset', () => {
  it('is saved after each committed update and used after a restart: nothing is ingested twice', async () => {
    // Long polls held up to 2 minutes: stop() must abort the one in flight, or this test times out.
    const fake = await FakeTelegramApi.start({ maxLongPollMs: 120_000 });
    cleanups.push(() => fake.close());
    const store: TestStore = await persistentStore();
    cleanups.push(() => store.drop());
    const userId = newUserId();

    const first = await startTelegramApp(fake, { store });
    const update = fake.queueUpdate(fake.textMessage({ fromId: userId, text: 'Prima del riavvio' }));
    await waitForText(fake, userId, 'colleghi questa chat con /link');
    await vi.waitFor(async () =>
      expect(await first.app.channelContext.loadCheckpoint(OFFSET_CHECKPOINT)).toMatchObject({
        offset: update.update_id + 1,
      }),
    );
    await first.app.settle();
    await first.app.stop();

    // Telegram still holds the update if our confirming getUpdates never happened: simulate it.
    fake.queueUpdate(update);
    const pollsBefore = fake.stats.offsetsSeen.length;
    const second = await startTelegramApp(fake, { store });
    try {
      const later = fake.queueUpdate(fake.textMessage({ fromId: userId, text: 'Dopo il riavvio' }));
      await vi.waitFor(async () =>
        expect(await storedInbound(second.app, `${userId}:${later.message!.message_id}`)).toBe(1),
      );
      expect(fake.stats.offsetsSeen[pollsBefore]).toBe(update.update_id + 1);
      expect(await storedInbound(second.app, `${userId}:${update.message!.message_id}`)).toBe(1);
      const { rows } = await second.app.database.sql.query<{ n: number }>(
        "select count(*)::int as n from raw_inputs where channel = 'telegram' and external_id = $1",
        [`${userId}:${update.message!.message_id}`],
      );
      expect(rows[0]!.n).toBe(1);
      await second.app.settle();
      // The unknown-sender answer went out once, before the restart.
      expect(sentTo(fake, userId)).toHaveLength(1);
      expect(fake.internalErrors).toEqual([]);
    } finally {
      await second.app.stop();
    }
  }, 60_000);
});
