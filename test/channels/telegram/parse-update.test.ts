import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyUpdate, type TelegramEvent } from '../../../src/channels/telegram/parse-update.js';
import { FakeTelegramApi } from '../../helpers/fake-telegram-api.js';

let fake: FakeTelegramApi;

beforeAll(async () => {
  fake = await FakeTelegramApi.start({ botUsername: 'OurHelpBot' });
});

afterAll(async () => {
  await fake.close();
});

const classify = (update: Update): TelegramEvent => classifyUpdate(update, { botUsername: 'OurHelpBot' });

function expectType<T extends TelegramEvent['type']>(
  event: TelegramEvent,
  type: T,
): Extract<TelegramEvent, { type: T }> {
  expect(event.type).toBe(type);
  return event as Extract<TelegramEvent, { type: T }>;
}

describe('classifyUpdate', () => {
  it('turns a private text message into a text event with the sender', () => {
    const date = new Date('2025-03-04T10:11:12Z');
    const update = fake.textMessage({
      fromId: 4242,
      text: 'My printer is on fire',
      languageCode: 'it',
      username: 'mrossi',
      firstName: 'Mario',
      lastName: 'Rossi',
      date,
    });
    const event = expectType(classify(update), 'text');
    const messageId = update.message!.message_id;
    expect(event).toEqual({
      type: 'text',
      text: 'My printer is on fire',
      updateId: update.update_id,
      externalId: `4242:${messageId}`,
      chatId: '4242',
      chatType: 'private',
      messageId,
      fromId: '4242',
      username: 'mrossi',
      displayName: 'Mario Rossi',
      languageCode: 'it',
      date,
    });
  });

  it('gives the replied-to message as chat:message', () => {
    const first = fake.textMessage({ fromId: 5, chatId: -100777, text: 'hello group' });
    const reply = fake.textMessage({
      fromId: 6,
      chatId: -100777,
      text: 'me too',
      replyToMessageId: first.message!.message_id,
    });
    const event = expectType(classify(reply), 'text');
    expect(event.chatType).toBe('supergroup');
    expect(event.fromId).toBe('6');
    expect(event.replyToExternalId).toBe(`-100777:${first.message!.message_id}`);
    expect(event.externalId).toBe(`-100777:${first.message!.message_id + 1}`);
  });

  it('does not treat the forum topic root as a reply', () => {
    const update = fake.textMessage({ fromId: 5, chatId: -100888, text: 'in a topic', topicId: 3 });
    const message = update.message!;
    message.reply_to_message = {
      message_id: 3,
      date: message.date,
      chat: message.chat,
      forum_topic_created: { name: 'Support', icon_color: 0 },
    } as unknown as typeof message.reply_to_message;
    const event = expectType(classify(update), 'text');
    expect(event.replyToExternalId).toBeUndefined();
    expect(event.topicId).toBe(3);
  });

  it('parses commands from the bot_command entity, with args', () => {
    for (const command of ['start', 'new', 'tickets', 'help', 'lang', 'link']) {
      const event = expectType(
        classify(fake.commandMessage({ fromId: 1, command, args: 'abc  def ' })),
        'command',
      );
      expect(event.command).toBe(command);
      expect(event.args).toBe('abc  def');
    }
    const deepLink = expectType(
      classify(fake.commandMessage({ fromId: 1, command: 'start', args: 'LINK-9f3a' })),
      'command',
    );
    expect(deepLink.args).toBe('LINK-9f3a');
    const bare = expectType(classify(fake.commandMessage({ fromId: 1, command: 'Tickets' })), 'command');
    expect(bare.command).toBe('tickets');
    expect(bare.args).toBe('');
  });

  it('accepts commands addressed to our bot and ignores those for other bots', () => {
    const ours = classify(
      fake.commandMessage({ fromId: 1, chatId: -5, command: 'new', botUsername: 'ourhelpbot', args: 'x' }),
    );
    expect(expectType(ours, 'command').command).toBe('new');
    expect(expectType(ours, 'command').chatType).toBe('group');
    const other = classify(
      fake.commandMessage({ fromId: 1, chatId: -5, command: 'new', botUsername: 'OtherBot' }),
    );
    expect(expectType(other, 'ignored').reason).toMatch(/another bot/);
    // Without a known bot username, an addressed command is accepted.
    const unknown = classifyUpdate(
      fake.commandMessage({ fromId: 1, command: 'help', botUsername: 'OtherBot' }),
    );
    expect(expectType(unknown, 'command').command).toBe('help');
  });

  it('treats a slash not marked as a command at offset 0 as text', () => {
    const update = fake.textMessage({
      fromId: 1,
      text: 'please /new',
      entities: [{ type: 'bot_command', offset: 7, length: 4 }],
    });
    expect(expectType(classify(update), 'text').text).toBe('please /new');
  });

  it('turns a photo into a media event with the largest size and the caption as text', () => {
    const update = fake.photoMessage({ fromId: 9, caption: 'screen', content: new Uint8Array(5000) });
    const event = expectType(classify(update), 'media');
    const largest = update.message!.photo!.at(-1)!;
    expect(event.text).toBe('screen');
    expect(event.files).toEqual([
      {
        kind: 'photo',
        fileId: largest.file_id,
        fileUniqueId: largest.file_unique_id,
        filename: `photo_${largest.file_unique_id}.jpg`,
        contentType: 'image/jpeg',
        size: 5000,
      },
    ]);
  });

  it('turns documents and voice notes into media events', () => {
    const doc = expectType(
      classify(
        fake.documentMessage({ fromId: 9, fileName: 'log.txt', mimeType: 'text/plain', content: 'boom' }),
      ),
      'media',
    );
    expect(doc.text).toBe('');
    expect(doc.files[0]).toMatchObject({
      kind: 'document',
      filename: 'log.txt',
      contentType: 'text/plain',
      size: 4,
    });
    const unnamed = expectType(classify(fake.documentMessage({ fromId: 9 })), 'media');
    expect(unnamed.files[0]?.contentType).toBe('application/octet-stream');
    expect(unnamed.files[0]?.filename).toMatch(/^document_/);
    const voice = expectType(
      classify(fake.voiceMessage({ fromId: 9, content: new Uint8Array(10) })),
      'media',
    );
    expect(voice.files[0]).toMatchObject({ kind: 'voice', contentType: 'audio/ogg', size: 10 });
    expect(voice.files[0]?.filename).toMatch(/\.ogg$/);
  });

  it('handles audio and video messages', () => {
    const base = fake.textMessage({ fromId: 9, text: 'x' }).message!;
    const { text: _text, ...rest } = base;
    const audio = classify({
      update_id: 1,
      message: { ...rest, audio: { file_id: 'A', file_unique_id: 'a', duration: 3 }, caption: 'song' },
    } as Update);
    expect(expectType(audio, 'media').files[0]).toMatchObject({
      kind: 'audio',
      contentType: 'audio/mpeg',
      filename: 'audio_a.mp3',
    });
    const video = classify({
      update_id: 2,
      message: {
        ...rest,
        video: {
          file_id: 'V',
          file_unique_id: 'v',
          width: 1,
          height: 1,
          duration: 3,
          mime_type: 'video/quicktime',
          file_name: 'clip.mov',
        },
      },
    } as Update);
    expect(expectType(video, 'media').files[0]).toMatchObject({
      kind: 'video',
      contentType: 'video/quicktime',
      filename: 'clip.mov',
    });
  });

  it('gives edits their own external id pointing at the original', () => {
    const original = fake.textMessage({ fromId: 3, text: 'helo' });
    const messageId = original.message!.message_id;
    const edit = fake.editedMessage({ fromId: 3, messageId, text: 'hello' });
    const event = expectType(classify(edit), 'edit');
    expect(event.editOf).toBe(`3:${messageId}`);
    expect(event.externalId).toBe(`3:${messageId}:edit:${edit.update_id}`);
    expect(event.text).toBe('hello');
    expect(event.files).toEqual([]);
    expect(event.date.getTime()).toBe(edit.edited_message!.edit_date * 1000);
  });

  it('turns a button press into a callback event on the message with the button', () => {
    const now = new Date('2025-01-01T00:00:00Z');
    const update = fake.callbackQuery({ fromId: 8, messageId: 77, data: 'consent:12:yes', username: 'anna' });
    const event = expectType(classifyUpdate(update, { now: () => now }), 'callback');
    expect(event).toMatchObject({
      callbackQueryId: update.callback_query!.id,
      data: 'consent:12:yes',
      chatId: '8',
      fromId: '8',
      username: 'anna',
      messageId: 77,
      messageExternalId: '8:77',
      replyToExternalId: '8:77',
      externalId: `callback:${update.callback_query!.id}`,
      date: now,
    });
  });

  it('reports group migrations from both sides', () => {
    const to = classify(fake.migrateToChat({ fromId: 1, chatId: -55, toChatId: -10055 }));
    expect(to).toMatchObject({ type: 'migrate', fromChatId: '-55', toChatId: '-10055' });
    const from = classify(fake.migrateFromChat({ fromId: 1, chatId: -10055, fromChatId: -55 }));
    expect(from).toMatchObject({ type: 'migrate', fromChatId: '-55', toChatId: '-10055' });
  });

  it('ignores service messages, channel posts, bots and unknown updates, saying why', () => {
    const reasons = [
      fake.newChatMembers({ fromId: 1, chatId: -5, members: ['bot', { id: 2, firstName: 'Luigi' }] }),
      fake.channelPost({ chatId: -1009999, text: 'news' }),
      fake.textMessage({ fromId: 666, isBot: true, chatId: -5, text: 'beep' }),
      fake.contentMessage({
        fromId: 1,
        chatId: -5,
        content: {
          pinned_message: { message_id: 1, date: 0, chat: { id: -5, type: 'group', title: 'G' } } as never,
        },
      }),
      fake.contentMessage({ fromId: 1, content: { write_access_allowed: { from_request: true } } }),
      {
        update_id: 5,
        poll_answer: { poll_id: 'p', option_ids: [0], user: { id: 1, is_bot: false, first_name: 'X' } },
      },
      { update_id: 6 },
    ].map((update) => expectType(classify(update as Update), 'ignored').reason);
    expect(reasons).toEqual([
      'service message: new_chat_members',
      'channel post',
      'message from a bot',
      'service message: pinned_message',
      'service message: write_access_allowed',
      'unsupported update: poll_answer',
      'empty update',
    ]);
  });

  it('keeps locations, venues, contacts, polls, stickers and stories as readable text', () => {
    const text = (update: Update, locale: 'it' | 'en' = 'it') =>
      expectType(classifyUpdate(update, { locale }), 'text').text;
    expect(
      text(fake.locationMessage({ fromId: 1, latitude: 45.4642, longitude: 9.19, accuracy: 12.4 })),
    ).toBe(
      'Posizione: 45.464200, 9.190000 https://www.openstreetmap.org/?mlat=45.464200&mlon=9.190000#map=17/45.464200/9.190000 (precisione 12 m)',
    );
    expect(
      text(
        fake.locationMessage({ fromId: 1, latitude: -33.8688, longitude: 151.2093, livePeriod: 900 }),
        'en',
      ),
    ).toMatch(
      /^Live location: -33\.868800, 151\.209300 https:\/\/www\.openstreetmap\.org\/\?mlat=-33\.868800&mlon=151\.209300#/,
    );
    expect(
      text(
        fake.venueMessage({
          fromId: 1,
          latitude: 41.9,
          longitude: 12.5,
          title: 'Ufficio Rossi',
          address: 'Via Roma 1, Roma',
        }),
      ),
    ).toBe(
      'Luogo: Ufficio Rossi, Via Roma 1, Roma\n41.900000, 12.500000 https://www.openstreetmap.org/?mlat=41.900000&mlon=12.500000#map=17/41.900000/12.500000',
    );
    const vcard = 'BEGIN:VCARD\nVERSION:3.0\nFN:Anna Bianchi\nEMAIL:anna@esempio.test\nEND:VCARD';
    const contact = expectType(
      classify(
        fake.contactMessage({
          fromId: 1,
          phone: '+39 333 1234567',
          contactFirstName: 'Anna',
          contactLastName: 'Bianchi',
          userId: 555,
          vcard,
        }),
      ),
      'text',
    );
    expect(contact.text).toBe('Contatto: Anna Bianchi, +39 333 1234567 (utente Telegram 555)');
    expect(contact.fullText).toContain('EMAIL:anna@esempio.test');
    expect(
      text(fake.pollMessage({ fromId: 1, question: 'Quando passate?', options: ['Lunedì', 'Martedì'] })),
    ).toBe('Sondaggio: Quando passate?\n- Lunedì\n- Martedì');
    expect(text(fake.stickerMessage({ fromId: 1, emoji: '👍' }))).toBe('[Sticker 👍]');
    expect(
      text(
        fake.storyMessage({
          fromId: 1,
          channelUsername: 'negozio_pc',
          channelTitle: 'Negozio PC',
          storyId: 7,
        }),
        'en',
      ),
    ).toBe('Story: Negozio PC https://t.me/negozio_pc/s/7');
  });

  it('tells apart kinds that cannot be a ticket message, including ones the Bot API adds later', () => {
    const kinds = [
      fake.diceMessage({ fromId: 1 }),
      fake.gameMessage({ fromId: 1, title: 'Tetris' }),
      fake.invoiceMessage({ fromId: 1, title: 'Abbonamento', totalAmount: 1000 }),
      fake.contentMessage({ fromId: 1, content: { hologram: { id: 1 } } as never }),
    ].map((update) => expectType(classify(update), 'unsupported').kind);
    expect(kinds).toEqual(['dice', 'game', 'invoice', 'hologram']);
  });

  it('keeps animations, audio and video notes as files, an animation once', () => {
    const gif = expectType(classify(fake.animationMessage({ fromId: 1, content: 'GIF89a' })), 'media');
    expect(gif.files.map((f) => [f.kind, f.filename, f.contentType])).toEqual([
      ['animation', 'animation.gif.mp4', 'video/mp4'],
    ]);
    const audio = expectType(
      classify(fake.audioMessage({ fromId: 1, content: 'ID3', fileName: 'errore.mp3' })),
      'media',
    );
    expect(audio.files.map((f) => f.filename)).toEqual(['errore.mp3']);
    const note = expectType(classify(fake.videoNoteMessage({ fromId: 1, content: 'mp4' })), 'media');
    expect(note.files[0]!.filename).toMatch(/^video_note_.+\.mp4$/);
  });

  it('writes out text_link URLs in texts, captions and edits, leaving plain links alone', () => {
    const words = 'Ho seguito la guida e il link https://a.test ma niente';
    const entities = [
      { type: 'bold' as const, offset: 0, length: 2 },
      { type: 'text_link' as const, offset: 14, length: 5, url: 'https://esempio.test/guida?id=1' },
      { type: 'text_link' as const, offset: 30, length: 14, url: 'https://a.test' },
    ];
    expect(expectType(classify(fake.textMessage({ fromId: 1, text: words, entities })), 'text').text).toBe(
      'Ho seguito la guida (https://esempio.test/guida?id=1) e il link https://a.test ma niente',
    );
    const emoji = '😀 vedi qui';
    const photo = fake.photoMessage({
      fromId: 1,
      caption: emoji,
      captionEntities: [{ type: 'text_link', offset: 8, length: 3, url: 'https://x.test/😀' }],
    });
    expect(expectType(classify(photo), 'media').text).toBe('😀 vedi qui (https://x.test/😀)');
    const edited = fake.editedMessage({
      fromId: 1,
      messageId: photo.message!.message_id,
      text: emoji,
      caption: true,
    });
    expect(expectType(classify(edited), 'edit').text).toBe('😀 vedi qui (https://x.test/😀)');
    const broken = fake.textMessage({
      fromId: 1,
      text: 'corto',
      entities: [{ type: 'text_link', offset: 3, length: 40, url: 'https://b.test' }],
    });
    expect(expectType(classify(broken), 'text').text).toBe('corto');
  });

  it('reads commands in photo and document captions, with their files', () => {
    const update = fake.photoMessage({
      fromId: 1,
      caption: '/new Schermo rotto, vedi guida',
      captionEntities: [
        { type: 'bot_command', offset: 0, length: 4 },
        { type: 'text_link', offset: 25, length: 5, url: 'https://g.test' },
      ],
    });
    const event = expectType(classify(update), 'command');
    expect(event).toMatchObject({ command: 'new', args: 'Schermo rotto, vedi guida (https://g.test)' });
    expect(event.files).toHaveLength(1);
    const other = fake.documentMessage({
      fromId: 1,
      fileName: 'log.txt',
      caption: '/help@AnotherBot',
      captionEntities: [{ type: 'bot_command', offset: 0, length: 16 }],
    });
    expect(expectType(classify(other), 'ignored').reason).toBe('command for another bot (@AnotherBot)');
  });

  it('names the original author of a forwarded message, in Bot API 7 and older shapes, and runs no command in it', () => {
    const text = (update: Update, locale: 'it' | 'en' = 'it') =>
      expectType(classifyUpdate(update, { locale }), 'text').text;
    const user = { id: 99, is_bot: false, first_name: 'Luca', last_name: 'Verdi', username: 'lverdi' };
    expect(
      text(
        fake.textMessage({
          fromId: 1,
          text: 'Il server è giù',
          forwardOrigin: { type: 'user', date: 1, sender_user: user },
        }),
      ),
    ).toBe('Inoltrato da Luca Verdi (@lverdi):\nIl server è giù');
    expect(
      text(
        fake.textMessage({
          fromId: 1,
          text: 'x',
          forwardOrigin: { type: 'hidden_user', date: 1, sender_user_name: 'Capo Ufficio' },
        }),
        'en',
      ),
    ).toBe('Forwarded from Capo Ufficio:\nx');
    expect(
      text(
        fake.textMessage({
          fromId: 1,
          text: 'Manutenzione stanotte',
          forwardOrigin: {
            type: 'channel',
            date: 1,
            message_id: 4,
            author_signature: 'Marco',
            chat: { id: -1001, type: 'channel', title: 'Avvisi Provider', username: 'avvisi' },
          },
        }),
      ),
    ).toBe('Inoltrato da Marco, Avvisi Provider (@avvisi):\nManutenzione stanotte');
    expect(text(fake.textMessage({ fromId: 1, text: 'y', legacyForward: { from: user } }))).toBe(
      'Inoltrato da Luca Verdi (@lverdi):\ny',
    );
    expect(text(fake.textMessage({ fromId: 1, text: 'z', legacyForward: { senderName: 'Anonimo' } }))).toBe(
      'Inoltrato da Anonimo:\nz',
    );
    const forwardedCommand = fake.commandMessage({
      fromId: 1,
      command: 'new',
      args: 'non mio',
      forwardOrigin: { type: 'user', date: 1, sender_user: user },
    });
    expect(text(forwardedCommand)).toBe('Inoltrato da Luca Verdi (@lverdi):\n/new non mio');
    const photo = fake.photoMessage({
      fromId: 1,
      caption: 'foto',
      legacyForward: { fromChat: { id: -100, type: 'channel', title: 'Canale' } },
    });
    expect(expectType(classify(photo), 'media').text).toBe('Inoltrato da Canale:\nfoto');
  });

  it('survives odd and malformed shapes without throwing, keeping what can be read', () => {
    const odd = (content: Record<string, unknown>) =>
      classifyUpdate(fake.contentMessage({ fromId: 1, content: content as never }));
    expect(expectType(odd({ location: { latitude: '45.1', longitude: 'x' } }), 'text').text).toMatch(
      /^Posizione: 45\.100000, NaN /,
    );
    expect(expectType(odd({ poll: { question: 'Vi va bene?', type: 'regular' } }), 'text').text).toBe(
      'Sondaggio: Vi va bene?',
    );
    expect(expectType(odd({ sticker: { file_id: 'f', file_unique_id: 'u' } }), 'text').text).toBe(
      '[Sticker]',
    );
    expect(expectType(odd({ story: { id: 3 } }), 'text').text).toBe('Storia: chat undefined');
    expect(expectType(odd({ text: 'ciao', forward_origin: { type: 'user', date: 1 } }), 'text').text).toBe(
      'Inoltrato da Telegram:\nciao',
    );
    expect(
      expectType(odd({ text: 'ciao', forward_origin: { type: 'something_new', date: 1 } }), 'text').text,
    ).toBe('Inoltrato da Telegram:\nciao');
    const links = [
      { type: 'text_link', offset: 0, length: 3, url: 'https://outer.test' },
      { type: 'text_link', offset: 0, length: 3 },
      { type: 'text_link', offset: 4, length: 18, url: 'https://same.test/' },
      { type: 'text_link', offset: -1, length: 2, url: 'https://neg.test' },
    ];
    expect(expectType(odd({ text: 'qui https://same.test/ fine', entities: links }), 'text').text).toBe(
      'qui (https://outer.test) https://same.test/ fine',
    );
  });

  it('gives album items their media group id', () => {
    const updates = fake.albumMessages({
      fromId: 1,
      mediaGroupId: '1300',
      items: [{ kind: 'photo', caption: 'due foto' }, { kind: 'photo' }],
    });
    const events = updates.map((u) => expectType(classify(u), 'media'));
    expect(events.map((e) => [e.mediaGroupId, e.text])).toEqual([
      ['1300', 'due foto'],
      ['1300', ''],
    ]);
  });

  it('falls back to the username or id for the display name', () => {
    const named = classify(fake.textMessage({ fromId: 11, text: 'x', firstName: ' ', username: 'zed' }));
    expect(expectType(named, 'text').displayName).toBe('@zed');
    const anonymous = classify(fake.textMessage({ fromId: 12, text: 'x', firstName: '' }));
    expect(expectType(anonymous, 'text').displayName).toBe('Telegram user 12');
  });
});
