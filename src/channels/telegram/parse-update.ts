/**
 * Pure classification of Telegram updates into the few events the helpdesk cares about.
 * Uses only grammY's types; no I/O.
 */
import type { Message, PhotoSize, Update, User } from 'grammy/types';
import { formatExternalId } from './format-message.js';

export type TelegramChatType = 'private' | 'group' | 'supergroup' | 'channel';

/** Commands the bot offers; others are passed through as written (lower-cased). */
export type KnownCommand = 'start' | 'new' | 'tickets' | 'help' | 'lang' | 'link';

/** What every event about a message written by a person carries. */
export interface TelegramEventBase {
  updateId: number;
  /** `chatId:messageId`, unique per message; edits and button presses get their own (see there). */
  externalId: string;
  chatId: string;
  chatType: TelegramChatType;
  /** The message's id within the chat (for a button press: the message the button is on). */
  messageId: number;
  fromId: string;
  username?: string;
  displayName: string;
  /** The sender's Telegram client language (`language_code`), e.g. `it`, `en-GB`. */
  languageCode?: string;
  /** `chatId:messageId` of the message replied to. */
  replyToExternalId?: string;
  /** Forum supergroups: the topic the message was written in. */
  topicId?: number;
  date: Date;
}

export type TelegramFileKind = 'photo' | 'document' | 'voice' | 'audio' | 'video';

export interface TelegramFile {
  fileId: string;
  fileUniqueId: string;
  filename: string;
  contentType: string;
  size?: number;
  kind: TelegramFileKind;
}

export interface TelegramCommandEvent extends TelegramEventBase {
  type: 'command';
  /** Lower-cased, without `/` and `@bot`. */
  command: KnownCommand | (string & NonNullable<unknown>);
  /** Text after the command, trimmed (`/start CODE` deep links give `CODE`). */
  args: string;
  /** The whole message text. */
  text: string;
}

export interface TelegramTextEvent extends TelegramEventBase {
  type: 'text';
  text: string;
}

export interface TelegramMediaEvent extends TelegramEventBase {
  type: 'media';
  /** The caption, or `''`. */
  text: string;
  files: TelegramFile[];
  /** Albums arrive as one message per item sharing this id (only one has the caption). */
  mediaGroupId?: string;
}

export interface TelegramEditEvent extends TelegramEventBase {
  type: 'edit';
  /** External id of the message edited (`chatId:messageId`). `externalId` is
   * `chatId:messageId:edit:updateId`, so each edit is stored once. `date` is the edit date. */
  editOf: string;
  /** New text or caption. */
  text: string;
  files: TelegramFile[];
}

export interface TelegramCallbackEvent extends TelegramEventBase {
  type: 'callback';
  callbackQueryId: string;
  data: string;
  /** External id of the message the button is on (also given as `replyToExternalId`).
   * `externalId` is `callback:<callbackQueryId>`; `date` is when the update was classified. */
  messageExternalId: string;
}

export interface TelegramMigrateEvent {
  type: 'migrate';
  updateId: number;
  fromChatId: string;
  toChatId: string;
}

export interface TelegramIgnoredEvent {
  type: 'ignored';
  updateId: number;
  reason: string;
  chatId?: string;
}

export type TelegramEvent =
  | TelegramCommandEvent
  | TelegramTextEvent
  | TelegramMediaEvent
  | TelegramEditEvent
  | TelegramCallbackEvent
  | TelegramMigrateEvent
  | TelegramIgnoredEvent;

export interface ClassifyOptions {
  /** Our bot's username (with or without `@`): `/cmd@OurBot` is accepted, `/cmd@Other` ignored.
   * When unset, addressed commands are accepted whoever they name. */
  botUsername?: string;
  /** Clock for events that carry no date of their own (button presses). */
  now?: () => Date;
}

/** Message fields that are content we cannot use as a ticket message. */
const UNSUPPORTED_CONTENT = [
  'sticker',
  'location',
  'venue',
  'contact',
  'poll',
  'dice',
  'game',
  'story',
  'paid_media',
  'live_photo',
  'checklist',
  'invoice',
  'giveaway',
  'rich_message',
  'passport_data',
] as const;

/** Fields any message may carry besides its content; anything else makes it a service message. */
const COMMON_FIELDS = new Set([
  'message_id',
  'message_thread_id',
  'from',
  'sender_chat',
  'sender_boost_count',
  'sender_business_bot',
  'sender_tag',
  'date',
  'edit_date',
  'chat',
  'business_connection_id',
  'is_topic_message',
  'direct_messages_topic',
  'forward_origin',
  'is_automatic_forward',
  'reply_to_message',
  'external_reply',
  'quote',
  'reply_to_story',
  'via_bot',
  'has_protected_content',
  'is_from_offline',
  'media_group_id',
  'has_media_spoiler',
  'author_signature',
  'effect_id',
  'reply_markup',
  'link_preview_options',
  'show_caption_above_media',
  'entities',
  'caption_entities',
]);

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

function largestPhoto(sizes: PhotoSize[]): PhotoSize | undefined {
  let best: PhotoSize | undefined;
  for (const size of sizes) {
    if (
      !best ||
      size.width * size.height > best.width * best.height ||
      (size.width * size.height === best.width * best.height && (size.file_size ?? 0) > (best.file_size ?? 0))
    ) {
      best = size;
    }
  }
  return best;
}

function file(
  kind: TelegramFileKind,
  item: { file_id: string; file_unique_id: string; file_size?: number },
  filename: string,
  contentType: string,
): TelegramFile {
  const out: TelegramFile = {
    fileId: item.file_id,
    fileUniqueId: item.file_unique_id,
    filename,
    contentType,
    kind,
  };
  if (item.file_size !== undefined) out.size = item.file_size;
  return out;
}

/** The files of a media message (empty for anything else). */
export function messageFiles(message: Message): TelegramFile[] {
  const files: TelegramFile[] = [];
  if (message.photo && message.photo.length > 0) {
    const photo = largestPhoto(message.photo)!;
    files.push(file('photo', photo, `photo_${photo.file_unique_id}.jpg`, 'image/jpeg'));
  }
  const { document, voice, audio, video, video_note: videoNote } = message;
  if (document) {
    files.push(
      file(
        'document',
        document,
        document.file_name || `document_${document.file_unique_id}`,
        document.mime_type || 'application/octet-stream',
      ),
    );
  }
  if (voice) {
    files.push(file('voice', voice, `voice_${voice.file_unique_id}.ogg`, voice.mime_type || 'audio/ogg'));
  }
  if (audio) {
    files.push(
      file(
        'audio',
        audio,
        audio.file_name || `audio_${audio.file_unique_id}.mp3`,
        audio.mime_type || 'audio/mpeg',
      ),
    );
  }
  if (video) {
    files.push(
      file(
        'video',
        video,
        video.file_name || `video_${video.file_unique_id}.mp4`,
        video.mime_type || 'video/mp4',
      ),
    );
  }
  if (videoNote) {
    files.push(file('video', videoNote, `video_note_${videoNote.file_unique_id}.mp4`, 'video/mp4'));
  }
  return files;
}

function normaliseBotName(name: string): string {
  return name.replace(/^@/, '').toLowerCase();
}

/** Why a message written by `from` cannot be a ticket message, or undefined when it can. */
function senderProblem(message: Message): string | undefined {
  if (message.sender_chat) return 'sent on behalf of a chat';
  if (!message.from) return 'message without a sender';
  if (message.from.is_bot) return 'message from a bot';
  return undefined;
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

  if (message.text !== undefined) {
    const entity = message.entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
    if (entity) {
      const [name = '', addressee] = message.text.slice(1, entity.length).split('@');
      if (
        addressee !== undefined &&
        options.botUsername !== undefined &&
        normaliseBotName(addressee) !== normaliseBotName(options.botUsername)
      ) {
        return { type: 'ignored', updateId, reason: `command for another bot (@${addressee})`, chatId };
      }
      return {
        type: 'command',
        command: name.toLowerCase(),
        args: message.text.slice(entity.length).trim(),
        text: message.text,
        ...base(updateId, message, from, message.date),
      };
    }
    return { type: 'text', text: message.text, ...base(updateId, message, from, message.date) };
  }

  const files = messageFiles(message);
  if (files.length > 0) {
    const event: TelegramMediaEvent = {
      type: 'media',
      text: message.caption ?? '',
      files,
      ...base(updateId, message, from, message.date),
    };
    if (message.media_group_id) event.mediaGroupId = message.media_group_id;
    return event;
  }

  for (const key of UNSUPPORTED_CONTENT) {
    if (message[key] !== undefined) {
      return {
        type: 'ignored',
        updateId,
        reason: key === 'sticker' ? 'sticker' : `unsupported content: ${key}`,
        chatId,
      };
    }
  }
  const service = Object.keys(message).find((key) => !COMMON_FIELDS.has(key));
  return {
    type: 'ignored',
    updateId,
    reason: service ? `service message: ${service}` : 'empty message',
    chatId,
  };
}

function classifyEdit(updateId: number, message: Message): TelegramEvent {
  const chatId = String(message.chat.id);
  const problem = senderProblem(message);
  if (problem) return { type: 'ignored', updateId, reason: `edit: ${problem}`, chatId };
  const text = message.text ?? message.caption;
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
