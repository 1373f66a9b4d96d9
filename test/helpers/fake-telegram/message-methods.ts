/**
 * The fake's message methods: sendMessage, sendDocument, sendPhoto, editMessageText / editMessageReplyMarkup
 * and sendChatAction, with Telegram's checks (blocked and migrated chats, HTML parsing, length
 * limits, inline keyboards, replies) and the sent messages stored like inbound ones.
 */
import type { Chat, InlineKeyboardMarkup, Message } from 'grammy/types';
import { bad, Failure, telegramErrors } from './api-errors.js';
import { type FakeTelegramState, nowSeconds } from './fake-state.js';
import { asObject, optionalInt, toInt } from './request-params.js';
import { parseHtml } from './telegram-html.js';
import type { ApiParams, UploadedFile } from './types.js';

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

/** The chat a send targets, applying blocked / migrated simulations. */
function targetChat(state: FakeTelegramState, p: ApiParams): Chat {
  if (p.chat_id === undefined || p.chat_id === '') throw bad('chat_id is empty');
  if (typeof p.chat_id === 'string' && p.chat_id.startsWith('@')) throw bad('chat not found');
  const chatId = toInt(p.chat_id, 'chat_id');
  const migratedTo = state.migratedChats.get(chatId);
  if (migratedTo !== undefined) throw new Failure(telegramErrors.migrated(migratedTo));
  if (state.blockedChats.has(chatId)) {
    throw new Failure(chatId > 0 ? telegramErrors.blocked() : telegramErrors.kicked());
  }
  const known = state.chats.get(chatId);
  if (known) return known;
  const chat: Chat =
    chatId > 0
      ? { id: chatId, type: 'private', first_name: `User ${chatId}` }
      : {
          id: chatId,
          type: String(chatId).startsWith('-100') ? 'supergroup' : 'group',
          title: 'Support group',
        };
  state.chats.set(chatId, chat);
  return chat;
}

function checkMarkup(p: ApiParams): InlineKeyboardMarkup | undefined {
  const markup = asObject<InlineKeyboardMarkup>(p.reply_markup);
  if (!markup || !('inline_keyboard' in markup)) return markup;
  if (!Array.isArray(markup.inline_keyboard))
    throw bad('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array');
  for (const row of markup.inline_keyboard) {
    for (const button of row) {
      if (typeof button.text !== 'string' || button.text === '')
        throw bad('text buttons are unallowed in the inline keyboard');
      const data = (button as { callback_data?: unknown }).callback_data;
      if (typeof data === 'string' && (data.length === 0 || Buffer.byteLength(data) > 64)) {
        throw bad('BUTTON_DATA_INVALID');
      }
    }
  }
  return markup;
}

function renderText(raw: unknown, parseMode: unknown, limit: number, what: 'message' | 'caption'): string {
  const source = typeof raw === 'string' ? raw : raw === undefined ? '' : String(raw);
  const text = parseMode === 'HTML' ? parseHtml(source) : source;
  if (what === 'message' && text.trim() === '') throw bad('message text is empty');
  if (text.length > limit)
    throw bad(what === 'message' ? 'message is too long' : 'message caption is too long');
  return text;
}

function resolveReply(state: FakeTelegramState, p: ApiParams, chat: Chat): Message | undefined {
  const parameters = asObject<{ message_id?: number; allow_sending_without_reply?: boolean }>(
    p.reply_parameters,
  );
  const replyId = optionalInt(parameters?.message_id ?? p.reply_to_message_id);
  if (replyId === undefined) return undefined;
  const target = state.message(chat.id, replyId);
  if (!target) {
    const allow = parameters?.allow_sending_without_reply ?? p.allow_sending_without_reply;
    if (allow === true || allow === 'true') return undefined;
    throw bad('message to be replied not found');
  }
  return state.replyTarget(chat.id, replyId);
}

function storeOutbound(
  state: FakeTelegramState,
  chat: Chat,
  content: Partial<Message>,
  p: ApiParams,
): Message {
  const markup = checkMarkup(p);
  const reply = resolveReply(state, p, chat);
  const message = {
    message_id: state.nextMessageId(chat.id),
    from: state.botUser(),
    chat,
    date: nowSeconds(),
    ...content,
  } as Message;
  if (reply) message.reply_to_message = reply as Message & { reply_to_message: undefined };
  if (markup && 'inline_keyboard' in markup) message.reply_markup = markup;
  const thread = optionalInt(p.message_thread_id);
  if (thread !== undefined) {
    message.message_thread_id = thread;
    message.is_topic_message = true;
  }
  state.messages.set(`${chat.id}:${message.message_id}`, message);
  return message;
}

export function sendMessage(state: FakeTelegramState, p: ApiParams): Message {
  const chat = targetChat(state, p);
  const text = renderText(p.text, p.parse_mode, 4096, 'message');
  return storeOutbound(state, chat, { text }, p);
}

/**
 * sendPhoto with an upload (multipart, as grammY sends an `InputFile`): Telegram's 10 MB limit for
 * photos, and the sizes it generates (here one, the original).
 */
export function sendPhoto(
  state: FakeTelegramState,
  p: ApiParams,
  files: Record<string, UploadedFile>,
): Message {
  const chat = targetChat(state, p);
  const caption = p.caption === undefined ? undefined : renderText(p.caption, p.parse_mode, 1024, 'caption');
  const upload = files.photo;
  if (!upload) {
    if (typeof p.photo === 'string' && state.files.has(p.photo)) {
      const stored = state.files.get(p.photo)!;
      const photo = [{ file_id: stored.fileId, file_unique_id: stored.fileUniqueId, width: 1, height: 1 }];
      return storeOutbound(state, chat, { photo, ...(caption !== undefined ? { caption } : {}) }, p);
    }
    throw bad('wrong file identifier/HTTP URL specified');
  }
  if (upload.content.length > 10 * 1024 * 1024) throw bad('PHOTO_INVALID_DIMENSIONS');
  const stored = state.addFile(upload.content, { filePath: `photos/file_${state.nextCounter()}.jpg` });
  const photo = [
    {
      file_id: stored.fileId,
      file_unique_id: stored.fileUniqueId,
      width: 800,
      height: 600,
      file_size: stored.size,
    },
  ];
  return storeOutbound(state, chat, { photo, ...(caption !== undefined ? { caption } : {}) }, p);
}

export function sendDocument(
  state: FakeTelegramState,
  p: ApiParams,
  files: Record<string, UploadedFile>,
): Message {
  const chat = targetChat(state, p);
  const caption = p.caption === undefined ? undefined : renderText(p.caption, p.parse_mode, 1024, 'caption');
  const upload = files.document;
  let document: NonNullable<Message['document']>;
  if (upload) {
    if (upload.content.length > 50 * 1024 * 1024) throw bad('file is too big');
    const stored = state.addFile(upload.content, { filePath: `documents/file_${state.nextCounter()}` });
    document = {
      file_id: stored.fileId,
      file_unique_id: stored.fileUniqueId,
      file_name: upload.filename,
      mime_type: upload.contentType,
      file_size: stored.size,
    };
  } else if (typeof p.document === 'string' && state.files.has(p.document)) {
    const stored = state.files.get(p.document)!;
    document = { file_id: stored.fileId, file_unique_id: stored.fileUniqueId, file_size: stored.size };
  } else if (typeof p.document === 'string' && /^https?:\/\//.test(p.document)) {
    document = {
      file_id: `BQACAgIAAxkBAAI${state.nextCounter()}url`,
      file_unique_id: `AgADurl${state.nextCounter()}`,
      file_name: p.document.split('/').pop() || 'file',
    };
  } else {
    throw bad('wrong file identifier/HTTP URL specified');
  }
  return storeOutbound(state, chat, { document, ...(caption !== undefined ? { caption } : {}) }, p);
}

export function editMessage(state: FakeTelegramState, p: ApiParams, what: 'text' | 'markup'): Message | true {
  if (p.inline_message_id !== undefined) {
    if (what === 'text') renderText(p.text, p.parse_mode, 4096, 'message');
    checkMarkup(p);
    return true;
  }
  const chat = targetChat(state, p);
  const messageId = toInt(p.message_id, 'message_id');
  const stored = state.message(chat.id, messageId);
  if (!stored) throw bad('message to edit not found');
  if (stored.from?.id !== state.botInfo.id) throw bad("message can't be edited");
  const markup = checkMarkup(p);
  const updated: Message = { ...stored };
  if (what === 'text') updated.text = renderText(p.text, p.parse_mode, 4096, 'message');
  if (markup && 'inline_keyboard' in markup) updated.reply_markup = markup;
  else delete updated.reply_markup;
  if (
    updated.text === stored.text &&
    JSON.stringify(updated.reply_markup ?? null) === JSON.stringify(stored.reply_markup ?? null)
  ) {
    throw bad(
      'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );
  }
  updated.edit_date = nowSeconds();
  state.messages.set(`${chat.id}:${messageId}`, updated);
  return updated;
}

export function sendChatAction(state: FakeTelegramState, p: ApiParams): true {
  targetChat(state, p);
  if (typeof p.action !== 'string' || !CHAT_ACTIONS.has(p.action)) {
    throw bad('wrong parameter action in request');
  }
  return true;
}
