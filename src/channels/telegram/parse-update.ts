/**
 * Pure classification of Telegram updates into the few events the helpdesk cares about.
 * Uses only grammY's types; no I/O. The event types live in `telegram-events.ts`, file extraction
 * in `message-files.ts` and command parsing in `parse-command.ts`; all are re-exported here.
 */
import type { Message, Update, User } from 'grammy/types';
import type { Locale } from '../../templates/format.js';
import { formatExternalId } from './format-message.js';
import { contentText, otherKind } from './message-content.js';
import { messageFiles } from './message-files.js';
import { forwardedFrom, withLinkUrls } from './message-text.js';
import { isForAnotherBot, parseCommand } from './parse-command.js';
import type {
  ClassifyOptions,
  TelegramCommandEvent,
  TelegramEvent,
  TelegramEventBase,
  TelegramTextEvent,
} from './telegram-events.js';

export { messageFiles } from './message-files.js';
export type {
  ClassifyOptions,
  KnownCommand,
  TelegramCallbackEvent,
  TelegramChatType,
  TelegramCommandEvent,
  TelegramEditEvent,
  TelegramEvent,
  TelegramEventBase,
  TelegramFile,
  TelegramFileKind,
  TelegramIgnoredEvent,
  TelegramMediaEvent,
  TelegramMigrateEvent,
  TelegramTextEvent,
  TelegramUnsupportedEvent,
} from './telegram-events.js';

function displayName(user: User): string {
  const name = [user.first_name, user.last_name]
    .filter((part) => part && part.trim().length > 0)
    .join(' ')
    .trim();
  return name || (user.username ? `@${user.username}` : `Telegram user ${user.id}`);
}

function base(updateId: number, message: Message, from: User, date: number): TelegramEventBase {
  const chatId = String(message.chat.id);
  const event: TelegramEventBase = {
    updateId,
    externalId: formatExternalId(chatId, message.message_id),
    chatId,
    chatType: message.chat.type,
    messageId: message.message_id,
    fromId: String(from.id),
    displayName: displayName(from),
    date: new Date(date * 1000),
  };
  if (from.username) event.username = from.username;
  if (from.language_code) event.languageCode = from.language_code;
  const reply = message.reply_to_message;
  // In forum topics every message "replies" to the topic's creation message: not a real reply.
  if (reply && !(message.is_topic_message && reply.forum_topic_created)) {
    event.replyToExternalId = formatExternalId(chatId, reply.message_id);
  }
  if (message.is_topic_message && message.message_thread_id !== undefined) {
    event.topicId = message.message_thread_id;
  }
  return event;
}

/** Why a message written by `from` cannot be a ticket message, or undefined when it can. */
function senderProblem(message: Message): string | undefined {
  if (message.sender_chat) return 'sent on behalf of a chat';
  if (!message.from) return 'message without a sender';
  if (message.from.is_bot) return 'message from a bot';
  return undefined;
}

/** The line naming a forwarded message's author, after its text (so the text's first line still
 * makes the ticket subject). */
function forwardedLine(author: string, locale: Locale): string {
  return locale === 'en' ? `[Forwarded from ${author}]` : `[Inoltrato da ${author}]`;
}

function withAuthor(text: string, author: string, locale: Locale): string {
  return text.trim() ? `${text}\n\n${forwardedLine(author, locale)}` : forwardedLine(author, locale);
}

function classifyMessage(updateId: number, message: Message, options: ClassifyOptions): TelegramEvent {
  const chatId = String(message.chat.id);
  if (message.migrate_to_chat_id !== undefined) {
    return { type: 'migrate', updateId, fromChatId: chatId, toChatId: String(message.migrate_to_chat_id) };
  }
  if (message.migrate_from_chat_id !== undefined) {
    return { type: 'migrate', updateId, fromChatId: String(message.migrate_from_chat_id), toChatId: chatId };
  }
  const problem = senderProblem(message);
  if (problem) return { type: 'ignored', updateId, reason: problem, chatId };
  const from = message.from!;
  const locale = options.locale ?? 'it';
  const files = messageFiles(message);
  const group = message.media_group_id ? { mediaGroupId: message.media_group_id } : {};
  const written = message.text ?? message.caption;
  const entities = message.text !== undefined ? message.entities : message.caption_entities;
  const words = written === undefined ? '' : withLinkUrls(written, entities);
  const author = forwardedFrom(message);

  // A command in a text or in a caption; a forwarded message is someone else's words, never ours.
  const command = written !== undefined && !author ? parseCommand(written, entities) : undefined;
  if (command) {
    if (isForAnotherBot(command, options.botUsername)) {
      return { type: 'ignored', updateId, reason: `command for another bot (@${command.addressee})`, chatId };
    }
    const event: TelegramCommandEvent = {
      type: 'command',
      command: command.name.toLowerCase(),
      args: words.slice(command.length).trim(),
      text: words,
      ...group,
      ...base(updateId, message, from, message.date),
    };
    if (files.length > 0) event.files = files;
    return event;
  }

  const content = contentText(message, locale);
  let text = [content?.text, words].filter((part) => part?.trim()).join('\n\n');
  let fullText = content?.full
    ? [content.full, words].filter((part) => part?.trim()).join('\n\n')
    : undefined;
  if (author) {
    text = withAuthor(text, author, locale);
    if (fullText !== undefined) fullText = withAuthor(fullText, author, locale);
  }
  if (files.length > 0) {
    return { type: 'media', text, files, ...group, ...base(updateId, message, from, message.date) };
  }
  if (message.text !== undefined || content) {
    const event: TelegramTextEvent = { type: 'text', text, ...base(updateId, message, from, message.date) };
    if (fullText !== undefined) event.fullText = fullText;
    return event;
  }
  const other = otherKind(message);
  if (other.type === 'unsupported') {
    return { type: 'unsupported', kind: other.kind, ...base(updateId, message, from, message.date) };
  }
  return {
    type: 'ignored',
    updateId,
    reason: other.type === 'service' ? `service message: ${other.kind}` : 'empty message',
    chatId,
  };
}

function classifyEdit(updateId: number, message: Message): TelegramEvent {
  const chatId = String(message.chat.id);
  const problem = senderProblem(message);
  if (problem) return { type: 'ignored', updateId, reason: `edit: ${problem}`, chatId };
  const written = message.text ?? message.caption;
  const entities = message.text !== undefined ? message.entities : message.caption_entities;
  const text = written === undefined ? undefined : withLinkUrls(written, entities);
  const files = messageFiles(message);
  if (text === undefined && files.length === 0) {
    return { type: 'ignored', updateId, reason: 'edit without text or files', chatId };
  }
  const event = base(updateId, message, message.from!, message.edit_date ?? message.date);
  return {
    ...event,
    type: 'edit',
    editOf: event.externalId,
    externalId: `${event.externalId}:edit:${updateId}`,
    text: text ?? '',
    files,
  };
}

function classifyCallback(
  updateId: number,
  query: NonNullable<Update['callback_query']>,
  options: ClassifyOptions,
): TelegramEvent {
  const message = query.message;
  if (!message) return { type: 'ignored', updateId, reason: 'button on an inline message' };
  const chatId = String(message.chat.id);
  if (query.data === undefined) return { type: 'ignored', updateId, reason: 'callback without data', chatId };
  if (query.from.is_bot) return { type: 'ignored', updateId, reason: 'callback from a bot', chatId };
  const now = options.now?.() ?? new Date();
  const event = base(updateId, message as Message, query.from, 0);
  return {
    ...event,
    type: 'callback',
    callbackQueryId: query.id,
    data: query.data,
    externalId: `callback:${query.id}`,
    messageExternalId: event.externalId,
    replyToExternalId: event.externalId,
    date: now,
  };
}

/** Turns one Telegram update into the event the helpdesk acts on. Never throws for odd input
 * shapes Telegram can send; anything unusable becomes `{ type: 'ignored', reason }`. */
export function classifyUpdate(update: Update, options: ClassifyOptions = {}): TelegramEvent {
  const updateId = update.update_id;
  if (update.message) return classifyMessage(updateId, update.message, options);
  if (update.edited_message) return classifyEdit(updateId, update.edited_message);
  if (update.callback_query) return classifyCallback(updateId, update.callback_query, options);
  if (update.channel_post || update.edited_channel_post) {
    return { type: 'ignored', updateId, reason: 'channel post' };
  }
  const kind = Object.keys(update).find((key) => key !== 'update_id');
  return { type: 'ignored', updateId, reason: kind ? `unsupported update: ${kind}` : 'empty update' };
}
