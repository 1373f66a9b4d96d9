import type { Message, Update } from 'grammy/types';
import { describe, expect, it, vi } from 'vitest';
import {
  capturingLogger,
  getTicket,
  linkedCustomer,
  newUserId,
  sentTo,
  shownText,
  storedInbound,
  ticketNumberIn,
  useTelegramApp,
  waitForText,
} from './telegram-kit.js';

/**
 * Every kind of Telegram message through the real grammY client and the fake Bot API: kept on the
 * ticket as readable text or files, or the sender is told in one line; nothing is dropped silently.
 */

const log = capturingLogger();

const tg = useTelegramApp({
  fake: { botUsername: 'AssistenzaBot' },
  app: {
    adapter: { maxFileBytes: 50_000, logger: log.logger },
    env: { BUSINESS_HOURS: '08:30-13:00,14:00-17:30' },
  },
});

/** Queues an update and waits until its message is stored. */
async function stored(update: Update): Promise<string> {
  tg.fake.queueUpdate(update);
  const externalId = `${update.message!.chat.id}:${update.message!.message_id}`;
  await vi.waitFor(async () => expect(await storedInbound(tg.t.app, externalId)).toBe(1), {
    timeout: 10_000,
  });
  return externalId;
}

/** The stored inbound message with this external id, with its files' bytes. */
async function inboundMessage(externalId: string) {
  const { rows } = await tg.t.app.database.sql.query<{
    id: string;
    new_text: string;
    full_text: string;
    ticket_id: string | null;
  }>(
    "select id::text, new_text, full_text, ticket_id::text from messages where channel = 'telegram' and direction = 'inbound' and external_id = $1",
    [externalId],
  );
  const message = rows[0]!;
  const files = await tg.t.app.database.sql.query<{
    filename: string;
    content_type: string;
    content: Uint8Array | null;
  }>('select filename, content_type, content from attachments where message_id = $1 order by id', [
    message.id,
  ]);
  return {
    ...message,
    files: files.rows.map((f) => ({ ...f, content: f.content ? Buffer.from(f.content).toString() : null })),
  };
}

describe('Telegram message kinds, through grammY and the fake Bot API', () => {
  it('keeps a location, venue, contact, poll and sticker on the ticket as text, after an acknowledgement with the configured hours', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const first = await stored(
      tg.fake.locationMessage({ fromId: userId, latitude: 45.07049, longitude: 7.68682 }),
    );
    const ack = await waitForText(tg.fake, userId, 'abbiamo ricevuto');
    expect(shownText(ack)).toContain('da remoto (dal lunedì al venerdì, 8:30-13:00 e 14:00-17:30).');
    const number = ticketNumberIn(shownText(ack));
    const rest = [
      tg.fake.venueMessage({
        fromId: userId,
        latitude: 45.0703,
        longitude: 7.6869,
        title: 'Studio Neri',
        address: 'Via Po 3, Torino',
      }),
      tg.fake.contactMessage({
        fromId: userId,
        phone: '+39 011 555 0101',
        contactFirstName: 'Paolo',
        contactLastName: 'Neri',
      }),
      tg.fake.pollMessage({
        fromId: userId,
        question: 'Meglio mattina o pomeriggio?',
        options: ['Mattina', 'Pomeriggio'],
      }),
      tg.fake.stickerMessage({ fromId: userId, emoji: '🙏' }),
    ];
    for (const update of rest) await stored(update);
    const view = await getTicket(tg.t.app, number);
    expect(view.messages.filter((m) => m.direction === 'inbound').map((m) => m.newText)).toEqual([
      'Posizione: 45.070490, 7.686820 https://www.openstreetmap.org/?mlat=45.070490&mlon=7.686820#map=17/45.070490/7.686820',
      'Luogo: Studio Neri, Via Po 3, Torino\n45.070300, 7.686900 https://www.openstreetmap.org/?mlat=45.070300&mlon=7.686900#map=17/45.070300/7.686900',
      'Contatto: Paolo Neri, +39 011 555 0101',
      'Sondaggio: Meglio mattina o pomeriggio?\n- Mattina\n- Pomeriggio',
      '[Sticker 🙏]',
    ]);
    expect(view.messages[0]!.externalId).toBe(first);
    await tg.t.app.settle();
    expect(sentTo(tg.fake, userId)).toHaveLength(1);
  });

  it('tells the sender in one line, in their language, when a kind cannot be a ticket message, and stores nothing', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const dice = tg.fake.queueUpdate(tg.fake.diceMessage({ fromId: userId, emoji: '🎲', value: 6 }));
    const told = await waitForText(
      tg.fake,
      userId,
      'Non possiamo aggiungere un messaggio di questo tipo (dado)',
    );
    expect(shownText(told).split('\n')).toHaveLength(1);
    expect((told.result as Message).reply_to_message?.message_id).toBe(dice.message!.message_id);

    const stranger = newUserId();
    tg.fake.queueUpdate(tg.fake.gameMessage({ fromId: stranger, title: 'Snake', languageCode: 'en-GB' }));
    await waitForText(tg.fake, stranger, 'We cannot add a message of this kind (game) to a support request');
    tg.fake.queueUpdate(
      tg.fake.contentMessage({
        fromId: stranger,
        languageCode: 'en',
        content: { hologram: { id: 3 } } as never,
      }),
    );
    await waitForText(tg.fake, stranger, 'We cannot add this kind of message to a support request');

    // In a group the bot does not answer every dice; it is logged all the same.
    const group = -4_000_000 - userId;
    const groupDice = tg.fake.queueUpdate(tg.fake.diceMessage({ fromId: userId, chatId: group }));
    await vi.waitFor(() =>
      expect(log.lines.some((l) => l.updateId === groupDice.update_id && l.level === 30)).toBe(true),
    );
    expect(sentTo(tg.fake, group)).toEqual([]);
    for (const update of [dice, groupDice]) {
      expect(await storedInbound(tg.t.app, `${update.message!.chat.id}:${update.message!.message_id}`)).toBe(
        0,
      );
    }
    const line = log.lines.find((l) => l.updateId === dice.update_id)!;
    expect(line).toMatchObject({ level: 30, kind: 'dice' });
  });

  it('logs ignored updates at info with the reason', async () => {
    const userId = newUserId();
    const group = -5_000_000 - userId;
    const joined = tg.fake.queueUpdate(
      tg.fake.newChatMembers({
        fromId: userId,
        chatId: group,
        members: [{ id: userId + 1, firstName: 'Gino' }],
      }),
    );
    await vi.waitFor(() => expect(log.lines.find((l) => l.updateId === joined.update_id)).toBeDefined());
    expect(log.lines.find((l) => l.updateId === joined.update_id)).toMatchObject({
      level: 30,
      msg: 'telegram: update ignored',
      reason: 'service message: new_chat_members',
    });

    // A live location is kept once; the position updates that follow (edits) are logged, not stored.
    await linkedCustomer(tg.t.app, userId);
    const live = tg.fake.locationMessage({
      fromId: userId,
      latitude: 44.4949,
      longitude: 11.3426,
      livePeriod: 900,
    });
    const liveId = await stored(live);
    expect((await inboundMessage(liveId)).new_text).toMatch(
      /^Posizione in tempo reale: 44\.494900, 11\.342600 /,
    );
    const moved = tg.fake.queueUpdate({
      edited_message: {
        ...live.message!,
        location: { latitude: 44.495, longitude: 11.343, live_period: 900 },
        edit_date: Math.floor(Date.now() / 1000),
      } as Update['edited_message'],
    });
    await vi.waitFor(() => expect(log.lines.find((l) => l.updateId === moved.update_id)).toBeDefined());
    expect(log.lines.find((l) => l.updateId === moved.update_id)).toMatchObject({
      level: 30,
      reason: 'edit without text or files',
    });
    expect(await storedInbound(tg.t.app, `${liveId}:edit:${moved.update_id}`)).toBe(0);
  });

  it('opens a new ticket with the file when /new is in a photo caption, and answers a command in a document caption while keeping the file', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    await stored(tg.fake.textMessage({ fromId: userId, text: 'La stampante non stampa' }));
    const firstAck = await waitForText(tg.fake, userId, 'abbiamo ricevuto');
    const first = ticketNumberIn(shownText(firstAck));

    const photo = tg.fake.photoMessage({
      fromId: userId,
      content: 'JPEG-schermo-blu',
      caption: '/new Schermata blu all’avvio',
      captionEntities: [{ type: 'bot_command', offset: 0, length: 4 }],
    });
    const photoId = await stored(photo);
    const secondAck = await waitForText(tg.fake, userId, 'Schermata blu all’avvio');
    const second = ticketNumberIn(shownText(secondAck));
    expect(second).not.toBe(first);
    const kept = await inboundMessage(photoId);
    expect(kept.new_text).toBe('Schermata blu all’avvio');
    expect(kept.files.map((f) => f.content)).toEqual(['JPEG-schermo-blu']);
    expect((await getTicket(tg.t.app, second)).messages[0]!.externalId).toBe(photoId);

    const doc = tg.fake.documentMessage({
      fromId: userId,
      content: 'log di sistema',
      fileName: 'system.log',
      mimeType: 'text/plain',
      caption: '/tickets',
      captionEntities: [{ type: 'bot_command', offset: 0, length: 8 }],
      replyToMessageId: (firstAck.result as Message).message_id,
    });
    const docId = await stored(doc);
    await waitForText(tg.fake, userId, 'ticket aperti');
    const log2 = await inboundMessage(docId);
    expect(log2.files).toEqual([
      { filename: 'system.log', content_type: 'text/plain', content: 'log di sistema' },
    ]);
    const firstView = await getTicket(tg.t.app, first);
    expect(firstView.messages.map((m) => m.externalId)).toContain(docId);
  });

  it('keeps text_link URLs in texts and captions, and names the original author of forwarded messages', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId, 'en');
    const text = 'Ho seguito la guida ma non va';
    const linked = await stored(
      tg.fake.textMessage({
        fromId: userId,
        text,
        entities: [{ type: 'text_link', offset: 14, length: 5, url: 'https://esempio.test/guida-vpn' }],
      }),
    );
    expect((await inboundMessage(linked)).new_text).toBe(
      'Ho seguito la guida (https://esempio.test/guida-vpn) ma non va',
    );
    const captioned = await stored(
      tg.fake.photoMessage({
        fromId: userId,
        content: 'png',
        caption: 'errore qui',
        captionEntities: [{ type: 'text_link', offset: 7, length: 3, url: 'https://esempio.test/errore' }],
      }),
    );
    expect((await inboundMessage(captioned)).new_text).toBe('errore qui (https://esempio.test/errore)');
    const forwarded = await stored(
      tg.fake.textMessage({
        fromId: userId,
        text: 'Il backup di stanotte è fallito',
        forwardOrigin: {
          type: 'user',
          date: 1_700_000_000,
          sender_user: { id: 4711, is_bot: false, first_name: 'Giulia', username: 'giulia_it' },
        },
      }),
    );
    // The shop's language (LOCALE=it) for words we add: technicians read them.
    expect((await inboundMessage(forwarded)).new_text).toBe(
      'Il backup di stanotte è fallito\n\n[Inoltrato da Giulia (@giulia_it)]',
    );
    const old = await stored(
      tg.fake.documentMessage({
        fromId: userId,
        content: 'x',
        fileName: 'report.pdf',
        legacyForward: { senderName: 'Ufficio Acquisti' },
      }),
    );
    expect((await inboundMessage(old)).new_text).toBe('[Inoltrato da Ufficio Acquisti]');
  });

  it('keeps animations, audio and video notes as files with their bytes', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const ids = [
      await stored(
        tg.fake.animationMessage({ fromId: userId, content: 'GIF-bytes', fileName: 'errore.gif.mp4' }),
      ),
      await stored(
        tg.fake.audioMessage({ fromId: userId, content: 'MP3-bytes', fileName: 'rumore-ventola.mp3' }),
      ),
      await stored(tg.fake.videoNoteMessage({ fromId: userId, content: 'MP4-bytes' })),
    ];
    const files = await Promise.all(ids.map(async (id) => (await inboundMessage(id)).files));
    expect(files.map((f) => f.map((x) => [x.filename, x.content]))).toEqual([
      [['errore.gif.mp4', 'GIF-bytes']],
      [['rumore-ventola.mp3', 'MP3-bytes']],
      [[expect.stringMatching(/^video_note_.+\.mp4$/), 'MP4-bytes']],
    ]);
  });
});
