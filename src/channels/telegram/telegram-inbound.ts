/**
 * A classified Telegram message as the core's normalised `InboundMessage`. Pure.
 */
import type { Update } from 'grammy/types';
import type { InboundAttachment, InboundMessage } from '../../core/channel.js';
import type { TelegramEventBase } from './parse-update.js';

export interface InboundOptions {
  /** The customer's words (a caption, the text after `/new`). */
  text: string;
  /** The whole text as written, when it differs (`/new …` keeps the command). */
  fullText?: string;
  attachments?: InboundAttachment[];
  /** `/new`: always open a new ticket. */
  forceNew?: boolean;
  /** An edit: the external id of the message edited. */
  editOf?: string;
  /** Album items: `chatId:media_group_id` (see `InboundMessage.groupKey`). */
  groupKey?: string;
}

/**
 * Sender = the Telegram user (kind `telegram`, address = user id, the client language as a hint
 * for unknown senders); conversation = the chat; `inReplyTo` = the message replied to, so a reply
 * to one of our messages threads onto its ticket; raw = the update as JSON.
 */
export function toInboundMessage(
  event: TelegramEventBase,
  update: Update,
  options: InboundOptions,
): InboundMessage {
  const message: InboundMessage = {
    channel: 'telegram',
    externalId: event.externalId,
    sender: { kind: 'telegram', address: event.fromId, displayName: event.displayName },
    newText: options.text,
    fullText: options.fullText ?? options.text,
    attachments: options.attachments ?? [],
    thread: { conversationId: event.chatId },
    receivedAt: event.date,
    arrivedAt: event.date,
    raw: { contentType: 'application/json', data: JSON.stringify(update) },
  };
  if (event.languageCode) message.sender.language = event.languageCode;
  if (event.replyToExternalId) message.thread.inReplyTo = [event.replyToExternalId];
  if (options.forceNew) message.thread.forceNew = true;
  if (options.editOf) message.editOf = options.editOf;
  if (options.groupKey) message.groupKey = options.groupKey;
  return message;
}

/** The key that makes the items of one album (`media_group_id`) one message: see
 * docs/telegram-albums.md. */
export function albumKey(event: { chatId: string; mediaGroupId?: string }): string | undefined {
  return event.mediaGroupId ? `${event.chatId}:${event.mediaGroupId}` : undefined;
}
