import type { Update } from 'grammy/types';
import { describe, expect, it, vi } from 'vitest';
import { stallLimitMs, withEventLoopDelay } from '../../helpers/event-loop-delay.js';
import {
  entityHeavyText,
  TELEGRAM_ALBUM_MAX,
  TELEGRAM_CAPTION_MAX,
  TELEGRAM_TEXT_MAX,
} from '../../helpers/hostile-chat.js';
import { linkedCustomer, newUserId, storedInbound, useTelegramApp } from './telegram-kit.js';

/**
 * No Telegram update stalls the event loop (issue 17 item 1): the largest text and caption with an
 * entity on every other character, and a full album of captioned files, through the real grammY
 * adapter and the store, while `monitorEventLoopDelay` watches (test/helpers/event-loop-delay.ts).
 */

const tg = useTelegramApp();

const idOf = (update: Update) => `${update.message!.chat.id}:${update.message!.message_id}`;

describe('Telegram updates at the limits', () => {
  it('stores a 4096-character text, a 1024-character caption and a 10-item album, all under entities, without stalling', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const text = entityHeavyText(TELEGRAM_TEXT_MAX);
    const caption = entityHeavyText(TELEGRAM_CAPTION_MAX);
    // Files of 256 KB: the in-memory test store copies its growing files (MEMFS), which a data
    // directory does not; big files are the bench's and the hostile-mail tests' subject.
    const file = new Uint8Array(256 * 1024).fill(7);
    const updates: Update[] = [
      tg.fake.textMessage({ fromId: userId, text: text.text, entities: text.entities }),
      tg.fake.photoMessage({
        fromId: userId,
        content: file,
        caption: caption.text,
        captionEntities: caption.entities,
      }),
      ...tg.fake.albumMessages({
        fromId: userId,
        items: Array.from({ length: TELEGRAM_ALBUM_MAX }, (_, i) => ({
          kind: i % 2 ? ('document' as const) : ('photo' as const),
          content: file,
          caption: i === 0 ? caption.text : undefined,
          fileName: `scansione-${i}.pdf`,
        })),
      }),
    ];
    expect(text.entities.length).toBeGreaterThan(2000);
    const { maxDelayMs } = await withEventLoopDelay(async () => {
      for (const update of updates) tg.fake.queueUpdate(update);
      for (const update of updates) {
        await vi.waitFor(async () => expect(await storedInbound(tg.t.app, idOf(update))).toBe(1), {
          timeout: 30_000,
          interval: 50,
        });
      }
      await tg.t.app.settle();
    });
    console.log(
      `telegram at the limits: longest event-loop delay ${maxDelayMs.toFixed(0)} ms (limit ${stallLimitMs()} ms)`,
    );
    expect(maxDelayMs).toBeLessThan(stallLimitMs());
    const { rows } = await tg.t.app.database.sql.query<{ full_text: string }>(
      "select full_text from messages where channel = 'telegram' and external_id = $1",
      [idOf(updates[0]!)],
    );
    // The text is kept, with the addresses of its links.
    expect(rows[0]!.full_text.startsWith('à<&>é"x🙂')).toBe(true);
    expect(rows[0]!.full_text.length).toBeGreaterThanOrEqual(TELEGRAM_TEXT_MAX);
  });
});
