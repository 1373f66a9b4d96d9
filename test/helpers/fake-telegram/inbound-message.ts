/**
 * Building the messages users send to the bot (sender, chat, message id, reply, topic, files), for
 * the update builders. Built messages are remembered in the state so replies to them work.
 */
import type { Chat, Message, MessageEntity, Update, User } from 'grammy/types';
import { type FakeTelegramState, nowSeconds } from './fake-state.js';
import type { FileOptions, RegisteredFile, SenderOptions } from './types.js';

/** The user `options` describe. */
export function senderUser(options: SenderOptions): User {
  const user: User = {
    id: Number(options.fromId),
    is_bot: options.isBot ?? false,
    first_name: options.firstName ?? 'Mario',
  };
  if (options.lastName) user.last_name = options.lastName;
  if (options.username) user.username = options.username;
  if (options.languageCode) user.language_code = options.languageCode;
  return user;
}

/** The chat `options` describe (private, group or supergroup; see `SenderOptions.chatType`),
 * remembered in the state. */
export function senderChat(state: FakeTelegramState, options: SenderOptions): Chat {
  const chatId = Number(options.chatId ?? options.fromId);
  const type =
    options.chatType ??
    (chatId === Number(options.fromId) || chatId > 0
      ? 'private'
      : String(chatId).startsWith('-100')
        ? 'supergroup'
        : 'group');
  let chat: Chat;
  if (type === 'private') {
    chat = { id: chatId, type, first_name: options.firstName ?? 'Mario' };
    if (options.lastName) chat.last_name = options.lastName;
    if (options.username) chat.username = options.username;
  } else {
    chat = {
      id: chatId,
      type,
      title: options.chatTitle ?? (state.chats.get(chatId)?.title || 'Support group'),
    };
  }
  state.chats.set(chatId, chat);
  return chat;
}

/** A message from the sender `options` describe with `content`, stored unless `store` is false. */
export function buildMessage(
  state: FakeTelegramState,
  options: SenderOptions,
  content: Partial<Message>,
  store = true,
): Message {
  const chat = senderChat(state, options);
  const messageId = options.messageId ?? state.nextMessageId(chat.id);
  if (options.messageId !== undefined) {
    state.lastMessageId.set(chat.id, Math.max(state.lastMessageId.get(chat.id) ?? 0, options.messageId));
  }
  const message = {
    message_id: messageId,
    from: senderUser(options),
    chat,
    date: nowSeconds(options.date),
    ...content,
  } as Message;
  if (options.topicId !== undefined) {
    message.message_thread_id = options.topicId;
    message.is_topic_message = true;
  }
  if (options.forwardOrigin) message.forward_origin = options.forwardOrigin;
  const legacy = options.legacyForward;
  if (legacy) {
    const old = message as Message & Record<string, unknown>;
    old.forward_date = nowSeconds(legacy.date);
    if (legacy.from) old.forward_from = legacy.from;
    if (legacy.senderName) old.forward_sender_name = legacy.senderName;
    if (legacy.fromChat) old.forward_from_chat = legacy.fromChat;
    if (legacy.signature) old.forward_signature = legacy.signature;
  }
  if (options.replyToMessageId !== undefined) {
    message.reply_to_message = state.replyTarget(chat.id, options.replyToMessageId) as Message & {
      reply_to_message: undefined;
    };
  }
  if (store) state.messages.set(`${chat.id}:${messageId}`, message);
  return message;
}

/** A `message` update carrying `message`. */
export function messageUpdate(state: FakeTelegramState, message: Message): Update {
  return state.withUpdateId({ message: message as Update['message'] });
}

export function caption(
  caption: string | undefined,
  options: { captionEntities?: MessageEntity[]; mediaGroupId?: string } = {},
): Partial<Message> {
  const out: Partial<Message> = caption === undefined ? {} : { caption };
  if (caption !== undefined && options.captionEntities) out.caption_entities = options.captionEntities;
  if (options.mediaGroupId) out.media_group_id = options.mediaGroupId;
  return out;
}

/** The file of a media message: downloadable when `options.content` is given. */
export function fileFor(
  state: FakeTelegramState,
  options: FileOptions,
  folder: string,
  ext: string,
): RegisteredFile {
  const n = state.nextCounter();
  const content = options.content ?? Buffer.alloc(0);
  const file = state.addFile(content, {
    ...(options.fileId ? { fileId: options.fileId } : {}),
    ...(options.fileUniqueId ? { fileUniqueId: options.fileUniqueId } : {}),
    filePath: `${folder}/file_${n}.${ext}`,
  });
  if (options.content === undefined) {
    // No bytes: keep the advertised size, but getFile will say the file is not available.
    file.size = options.size ?? 1024 * n;
    state.files.delete(file.fileId);
  } else if (options.size !== undefined) {
    file.size = options.size;
  }
  return file;
}
