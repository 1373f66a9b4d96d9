/**
 * Update builders of the fake Telegram Bot API: each returns a complete Update with an update_id;
 * pass it to `queueUpdate` or `deliverToWebhook`. Built messages are remembered so replies to them
 * work. `FakeTelegramApi` extends this class, so tests call them as `fake.textMessage(...)`.
 */
import type { Chat, Message, MessageEntity, PhotoSize, Update, User } from 'grammy/types';
import { type FakeTelegramState, nowSeconds } from './fake-state.js';
import { buildMessage, caption, fileFor, messageUpdate, senderChat, senderUser } from './inbound-message.js';
import type { CaptionOptions, FileOptions, SenderOptions } from './types.js';

export class TelegramUpdateBuilders {
  protected constructor(protected readonly state: FakeTelegramState) {}

  textMessage(options: SenderOptions & { text: string; entities?: MessageEntity[] }): Update {
    const message = buildMessage(this.state, options, { text: options.text });
    if (options.entities) message.entities = options.entities;
    return messageUpdate(this.state, message);
  }

  /** `/command[@bot] [args]` with a bot_command entity at offset 0. `botUsername: true` addresses
   * this fake's bot. */
  commandMessage(
    options: SenderOptions & { command: string; args?: string; botUsername?: string | true },
  ): Update {
    const addressee =
      options.botUsername === true ? this.state.botInfo.username : options.botUsername?.replace(/^@/, '');
    const head = `/${options.command}${addressee ? `@${addressee}` : ''}`;
    const text = options.args ? `${head} ${options.args}` : head;
    const message = buildMessage(this.state, options, {
      text,
      entities: [{ type: 'bot_command', offset: 0, length: head.length }],
    });
    return messageUpdate(this.state, message);
  }

  /** A photo in three sizes; `content` (if given) is the largest size's bytes. */
  photoMessage(
    options: SenderOptions & FileOptions & CaptionOptions & { width?: number; height?: number },
  ): Update {
    const width = options.width ?? 1280;
    const height = options.height ?? 960;
    const largest = fileFor(this.state, options, 'photos', 'jpg');
    const sizes: PhotoSize[] = [90, 320].map((w) => {
      const small = fileFor(
        this.state,
        { size: Math.max(1, Math.round(largest.size / (width / w) ** 2)) },
        'photos',
        'jpg',
      );
      return {
        file_id: small.fileId,
        file_unique_id: small.fileUniqueId,
        width: w,
        height: Math.round((height * w) / width),
        file_size: small.size,
      };
    });
    sizes.push({
      file_id: largest.fileId,
      file_unique_id: largest.fileUniqueId,
      width,
      height,
      file_size: largest.size,
    });
    const message = buildMessage(this.state, options, { photo: sizes, ...caption(options.caption, options) });
    return messageUpdate(this.state, message);
  }

  documentMessage(
    options: SenderOptions & FileOptions & CaptionOptions & { fileName?: string; mimeType?: string },
  ): Update {
    const file = fileFor(this.state, options, 'documents', options.fileName?.split('.').pop() ?? 'bin');
    const message = buildMessage(this.state, options, {
      document: {
        file_id: file.fileId,
        file_unique_id: file.fileUniqueId,
        file_size: file.size,
        ...(options.fileName ? { file_name: options.fileName } : {}),
        ...(options.mimeType ? { mime_type: options.mimeType } : {}),
      },
      ...caption(options.caption, options),
    });
    return messageUpdate(this.state, message);
  }

  voiceMessage(
    options: SenderOptions & FileOptions & { duration?: number; mimeType?: string; caption?: string },
  ): Update {
    const file = fileFor(this.state, options, 'voice', 'oga');
    const message = buildMessage(this.state, options, {
      voice: {
        file_id: file.fileId,
        file_unique_id: file.fileUniqueId,
        duration: options.duration ?? 3,
        mime_type: options.mimeType ?? 'audio/ogg',
        file_size: file.size,
      },
      ...caption(options.caption),
    });
    return messageUpdate(this.state, message);
  }

  stickerMessage(options: SenderOptions & { emoji?: string }): Update {
    const file = fileFor(this.state, { size: 24_000 }, 'stickers', 'webp');
    const message = buildMessage(this.state, options, {
      sticker: {
        file_id: file.fileId,
        file_unique_id: file.fileUniqueId,
        type: 'regular',
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
        emoji: options.emoji ?? '👍',
        set_name: 'HotCherry',
        file_size: file.size,
      },
    });
    return messageUpdate(this.state, message);
  }

  /** An `edited_message` update for an earlier message (text, or caption with `caption: true`). */
  editedMessage(
    options: Omit<SenderOptions, 'messageId'> & {
      messageId: number;
      text: string;
      caption?: boolean;
      editDate?: Date;
    },
  ): Update {
    const chatId = Number(options.chatId ?? options.fromId);
    const original = this.state.message(chatId, options.messageId);
    const message: Message = original
      ? { ...original }
      : buildMessage(this.state, { ...options, messageId: options.messageId }, { text: options.text }, false);
    if (options.caption) message.caption = options.text;
    else message.text = options.text;
    const edited = { ...message, edit_date: nowSeconds(options.editDate) } as Message & { edit_date: number };
    this.state.messages.set(`${chatId}:${options.messageId}`, edited);
    return this.state.withUpdateId({ edited_message: edited as Update['edited_message'] });
  }

  /** A button press on message `messageId` of `chatId` (a message the bot sent, ideally). */
  callbackQuery(options: Omit<SenderOptions, 'messageId'> & { messageId: number; data: string }): Update {
    const chatId = Number(options.chatId ?? options.fromId);
    const message =
      this.state.message(chatId, options.messageId) ??
      ({
        message_id: options.messageId,
        from: this.state.botUser(),
        chat: senderChat(this.state, options),
        date: nowSeconds(),
        text: '…',
      } as Message);
    const id = `${BigInt(Number(options.fromId)) * 1000n + BigInt(this.state.nextCounter())}`;
    this.state.callbackQueries.set(id, { answered: false });
    return this.state.withUpdateId({
      callback_query: {
        id,
        from: senderUser(options),
        message,
        chat_instance: `${-Math.abs(chatId) * 7}`,
        data: options.data,
      },
    });
  }

  /** The service message a group sends when it becomes a supergroup (in the old group). */
  migrateToChat(options: {
    fromId: number | string;
    chatId: number | string;
    toChatId: number | string;
  }): Update {
    const message = buildMessage(
      this.state,
      { fromId: options.fromId, chatId: options.chatId, chatType: 'group' },
      { migrate_to_chat_id: Number(options.toChatId) },
    );
    return messageUpdate(this.state, message);
  }

  /** The matching first service message in the new supergroup. */
  migrateFromChat(options: {
    fromId: number | string;
    chatId: number | string;
    fromChatId: number | string;
  }): Update {
    const message = buildMessage(
      this.state,
      { fromId: options.fromId, chatId: options.chatId, chatType: 'supergroup' },
      { migrate_from_chat_id: Number(options.fromChatId) },
    );
    return messageUpdate(this.state, message);
  }

  /** Members joined a group (`members` may include `'bot'` for this bot). */
  newChatMembers(
    options: SenderOptions & { members: Array<{ id: number; firstName: string; isBot?: boolean } | 'bot'> },
  ): Update {
    const members: User[] = options.members.map((m) =>
      m === 'bot' ? this.state.botUser() : { id: m.id, is_bot: m.isBot ?? false, first_name: m.firstName },
    );
    const message = buildMessage(this.state, options, { new_chat_members: members });
    return messageUpdate(this.state, message);
  }

  /** A post in a channel where the bot is an admin. */
  channelPost(options: { chatId: number | string; text: string; title?: string }): Update {
    const chatId = Number(options.chatId);
    const chat: Chat = { id: chatId, type: 'channel', title: options.title ?? 'News' };
    this.state.chats.set(chatId, chat);
    const message = {
      message_id: this.state.nextMessageId(chatId),
      sender_chat: chat,
      chat,
      date: nowSeconds(),
      text: options.text,
    } as Message;
    this.state.messages.set(`${chatId}:${message.message_id}`, message);
    return this.state.withUpdateId({ channel_post: message as Update['channel_post'] });
  }
}
