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

  it('falls back to the username or id for the display name', () => {
    const named = classify(fake.textMessage({ fromId: 11, text: 'x', firstName: ' ', username: 'zed' }));
    expect(expectType(named, 'text').displayName).toBe('@zed');
    const anonymous = classify(fake.textMessage({ fromId: 12, text: 'x', firstName: '' }));
    expect(expectType(anonymous, 'text').displayName).toBe('Telegram user 12');
  });
});
