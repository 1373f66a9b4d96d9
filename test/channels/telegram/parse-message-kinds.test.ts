import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyUpdate, type TelegramEvent } from '../../../src/channels/telegram/parse-update.js';
import { FakeTelegramApi } from '../../helpers/fake-telegram-api.js';

/** How each Telegram message kind, caption, link and forward is read (pure; see parse-update.ts). */

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

describe('classifyUpdate: message kinds', () => {
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
    ).toBe('Il server è giù\n\n[Inoltrato da Luca Verdi (@lverdi)]');
    expect(
      text(
        fake.textMessage({
          fromId: 1,
          text: 'x',
          forwardOrigin: { type: 'hidden_user', date: 1, sender_user_name: 'Capo Ufficio' },
        }),
        'en',
      ),
    ).toBe('x\n\n[Forwarded from Capo Ufficio]');
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
    ).toBe('Manutenzione stanotte\n\n[Inoltrato da Marco, Avvisi Provider (@avvisi)]');
    expect(text(fake.textMessage({ fromId: 1, text: 'y', legacyForward: { from: user } }))).toBe(
      'y\n\n[Inoltrato da Luca Verdi (@lverdi)]',
    );
    expect(text(fake.textMessage({ fromId: 1, text: 'z', legacyForward: { senderName: 'Anonimo' } }))).toBe(
      'z\n\n[Inoltrato da Anonimo]',
    );
    const forwardedCommand = fake.commandMessage({
      fromId: 1,
      command: 'new',
      args: 'non mio',
      forwardOrigin: { type: 'user', date: 1, sender_user: user },
    });
    expect(text(forwardedCommand)).toBe('/new non mio\n\n[Inoltrato da Luca Verdi (@lverdi)]');
    const photo = fake.photoMessage({
      fromId: 1,
      caption: 'foto',
      legacyForward: { fromChat: { id: -100, type: 'channel', title: 'Canale' } },
    });
    expect(expectType(classify(photo), 'media').text).toBe('foto\n\n[Inoltrato da Canale]');
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
      'ciao\n\n[Inoltrato da Telegram]',
    );
    expect(
      expectType(odd({ text: 'ciao', forward_origin: { type: 'something_new', date: 1 } }), 'text').text,
    ).toBe('ciao\n\n[Inoltrato da Telegram]');
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
});
