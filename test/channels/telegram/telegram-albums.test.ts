import type { InlineKeyboardMarkup, Message, Update } from 'grammy/types';
import { describe, expect, it, vi } from 'vitest';
import { OFFSET_CHECKPOINT } from '../../../src/channels/telegram/telegram-polling.js';
import { FakeTelegramApi } from '../../helpers/fake-telegram-api.js';
import type { TestApp } from '../../helpers/test-app.js';
import {
  getTicket,
  linkedCustomer,
  newUserId,
  persistentStore,
  sentTo,
  shownText,
  startTelegramApp,
  storedInbound,
  type TelegramTestApp,
  ticketNumberIn,
  useTelegramApp,
  waitForText,
} from './telegram-kit.js';

/**
 * Albums (one `media_group_id`): one message on the ticket with all its files, at most one
 * "which ticket?" question, however the items arrive (together, in separate polls, across a
 * restart, twice). See docs/telegram-albums.md.
 */

const tg = useTelegramApp({ app: { adapter: { maxFileBytes: 50_000 } } });

const idOf = (update: Update) => `${update.message!.chat.id}:${update.message!.message_id}`;

/** Waits until every item of an album is stored (as the message or as a part of it). */
async function allStored(app: TestApp, updates: Update[]) {
  for (const update of updates) {
    await vi.waitFor(async () => expect(await storedInbound(app, idOf(update))).toBe(1), { timeout: 10_000 });
  }
}

/** The files (name and bytes) of the inbound message with this external id. */
async function filesOf(app: TestApp, externalId: string) {
  const { rows } = await app.database.sql.query<{ filename: string; content: Uint8Array | null }>(
    `select a.filename, a.content from attachments a join messages m on m.id = a.message_id
     where m.channel = 'telegram' and m.direction = 'inbound' and m.external_id = $1 order by a.id`,
    [externalId],
  );
  return rows.map((r) => (r.content ? Buffer.from(r.content).toString() : null));
}

describe('Telegram albums', () => {
  it('files an album as one message with all its files and asks "which ticket?" once', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    for (const text of ['Rete lenta', 'Stampante inceppata']) {
      tg.fake.queueUpdate(tg.fake.commandMessage({ fromId: userId, command: 'new', args: text }));
      await waitForText(tg.fake, userId, text);
    }
    const before = sentTo(tg.fake, userId).length;
    const album = tg.fake.albumMessages({
      fromId: userId,
      items: [
        { kind: 'photo', content: 'foto-1', caption: 'Ecco le foto del guasto' },
        { kind: 'photo', content: 'foto-2' },
        { kind: 'video', content: 'video-3' },
      ],
    });
    for (const update of album) tg.fake.queueUpdate(update);
    await allStored(tg.t.app, album);
    const question = await waitForText(tg.fake, userId, 'A quale si riferisce questo messaggio?');
    await tg.t.app.settle();
    expect(sentTo(tg.fake, userId).length - before).toBe(1);

    const choice = (question.params.reply_markup as InlineKeyboardMarkup).inline_keyboard[0]![0] as {
      callback_data: string;
    };
    tg.fake.queueUpdate(
      tg.fake.callbackQuery({
        fromId: userId,
        messageId: (question.result as Message).message_id,
        data: choice.callback_data,
      }),
    );
    await tg.fake.waitForSent(
      (c) => c.method === 'editMessageText' && String(c.params.chat_id) === String(userId),
    );
    const number = Number(choice.callback_data.split(':')[1]);
    const inbound = (await getTicket(tg.t.app, number)).messages.filter((m) => m.direction === 'inbound');
    const albumMessage = inbound.find((m) => m.externalId === idOf(album[0]!))!;
    expect(albumMessage.newText).toBe('Ecco le foto del guasto');
    expect(albumMessage.attachments).toHaveLength(3);
    expect(await filesOf(tg.t.app, idOf(album[0]!))).toEqual(['foto-1', 'foto-2', 'video-3']);
    // The later items are not separate messages on the ticket, nor unmatched.
    expect(inbound.map((m) => m.externalId)).not.toContain(idOf(album[1]!));
    const unmatched = (await (await tg.t.app.api('/unmatched?limit=100')).json()) as {
      messages: Array<{ externalId: string }>;
    };
    expect(unmatched.messages.map((m) => m.externalId)).not.toContain(idOf(album[1]!));
  });

  it('joins items that arrive in separate polls and after a restart, stores a repeated item once, and acknowledges once', async () => {
    const dedicated = await FakeTelegramApi.start();
    const store = await persistentStore();
    const userId = newUserId();
    const album = dedicated.albumMessages({
      fromId: userId,
      items: [
        { kind: 'document', content: 'pdf-1', fileName: 'fattura.pdf', caption: 'Errore in fattura' },
        { kind: 'photo', content: 'foto-2' },
        { kind: 'photo', content: 'foto-3', caption: 'e questa è la schermata' },
      ],
    });
    let first: TelegramTestApp | undefined;
    let second: TelegramTestApp | undefined;
    try {
      first = await startTelegramApp(dedicated, { store });
      await linkedCustomer(first.app, userId);
      dedicated.queueUpdate(album[0]!);
      const ack = await waitForText(dedicated, userId, 'abbiamo ricevuto');
      dedicated.queueUpdate(album[1]!);
      await allStored(first.app, album.slice(0, 2));
      await vi.waitFor(async () =>
        expect(await first!.app.channelContext.loadCheckpoint(OFFSET_CHECKPOINT)).toMatchObject({
          offset: album[1]!.update_id + 1,
        }),
      );
      await first.app.settle();
      await first.app.stop();

      // After the restart: the last item, and the second again (Telegram had it unconfirmed).
      dedicated.queueUpdate(album[1]!);
      dedicated.queueUpdate(album[2]!);
      second = await startTelegramApp(dedicated, { store });
      await allStored(second.app, album);
      await vi.waitFor(async () =>
        expect(await second!.app.channelContext.loadCheckpoint(OFFSET_CHECKPOINT)).toMatchObject({
          offset: album[2]!.update_id + 1,
        }),
      );
      await second.app.settle();
      const number = ticketNumberIn(shownText(ack));
      const inbound = (await getTicket(second.app, number)).messages.filter((m) => m.direction === 'inbound');
      expect(inbound).toHaveLength(1);
      expect(inbound[0]!.newText).toBe('Errore in fattura\n\ne questa è la schermata');
      expect(await filesOf(second.app, idOf(album[0]!))).toEqual(['pdf-1', 'foto-2', 'foto-3']);
      const { rows } = await second.app.database.sql.query<{ n: number }>(
        "select count(*)::int as n from raw_inputs where channel = 'telegram' and external_id = $1",
        [idOf(album[1]!)],
      );
      expect(rows[0]!.n).toBe(1);
      expect(sentTo(dedicated, userId)).toHaveLength(1);
    } finally {
      await second?.app.stop();
      if (first && !second) await first.app.stop().catch(() => undefined);
      await store.drop();
      await dedicated.close();
    }
  }, 60_000);

  it('opens a new ticket with every file of an album whose caption is /new', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    tg.fake.queueUpdate(tg.fake.textMessage({ fromId: userId, text: 'Vecchio problema' }));
    const old = ticketNumberIn(shownText(await waitForText(tg.fake, userId, 'Vecchio problema')));
    const album = tg.fake.albumMessages({
      fromId: userId,
      items: [
        { kind: 'photo', content: 'monitor-1', caption: '/new Monitor sfarfalla' },
        { kind: 'photo', content: 'monitor-2' },
      ],
    });
    album[0]!.message!.caption_entities = [{ type: 'bot_command', offset: 0, length: 4 }];
    for (const update of album) tg.fake.queueUpdate(update);
    await allStored(tg.t.app, album);
    const ack = await waitForText(tg.fake, userId, 'Monitor sfarfalla');
    const number = ticketNumberIn(shownText(ack));
    expect(number).not.toBe(old);
    expect(await filesOf(tg.t.app, idOf(album[0]!))).toEqual(['monitor-1', 'monitor-2']);
    const view = await getTicket(tg.t.app, number);
    expect(view.messages.filter((m) => m.direction === 'inbound')).toHaveLength(1);
    expect((await getTicket(tg.t.app, old)).messages.filter((m) => m.direction === 'inbound')).toHaveLength(
      1,
    );
  });

  it('keeps an album from an unknown sender as one unmatched message, answered once', async () => {
    const userId = newUserId();
    const album = tg.fake.albumMessages({
      fromId: userId,
      items: [
        { kind: 'photo', content: 'a' },
        { kind: 'photo', content: 'b', caption: 'chi siete?' },
      ],
    });
    for (const update of album) tg.fake.queueUpdate(update);
    await allStored(tg.t.app, album);
    await waitForText(tg.fake, userId, 'colleghi questa chat con /link');
    await tg.t.app.settle();
    expect(sentTo(tg.fake, userId)).toHaveLength(1);
    const unmatched = (await (await tg.t.app.api('/unmatched?limit=100')).json()) as {
      messages: Array<{ externalId: string; newText: string }>;
    };
    const mine = unmatched.messages.filter((m) => m.externalId.startsWith(`${userId}:`));
    expect(mine).toEqual([expect.objectContaining({ externalId: idOf(album[0]!), newText: 'chi siete?' })]);
    expect(await filesOf(tg.t.app, idOf(album[0]!))).toEqual(['a', 'b']);
  });

  it("stores the edited caption of a later album item on the album's ticket", async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const album = tg.fake.albumMessages({
      fromId: userId,
      items: [
        { kind: 'photo', content: 'x', caption: 'Cavo rotto' },
        { kind: 'photo', content: 'y', caption: 'retro' },
      ],
    });
    for (const update of album) tg.fake.queueUpdate(update);
    await allStored(tg.t.app, album);
    const number = ticketNumberIn(shownText(await waitForText(tg.fake, userId, 'Cavo rotto')));
    const edit = tg.fake.queueUpdate(
      tg.fake.editedMessage({
        fromId: userId,
        messageId: album[1]!.message!.message_id,
        text: 'retro del PC',
        caption: true,
      }),
    );
    const editId = `${idOf(album[1]!)}:edit:${edit.update_id}`;
    await vi.waitFor(async () => expect(await storedInbound(tg.t.app, editId)).toBe(1));
    const view = await getTicket(tg.t.app, number);
    expect(view.messages.find((m) => m.externalId === editId)).toMatchObject({
      disposition: 'edit',
      newText: 'retro del PC',
    });
  });
});
