/**
 * The events a Telegram update is classified into (see `classifyUpdate` in `parse-update.ts`).
 */
import type { Locale } from '../../templates/format.js';
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

export type TelegramFileKind = 'photo' | 'document' | 'animation' | 'voice' | 'audio' | 'video';

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
  /** The whole message text (or caption), with `text_link` URLs written out. */
  text: string;
  /** A command in the caption of a photo or file: the message's files. */
  files?: TelegramFile[];
  /** See `TelegramMediaEvent.mediaGroupId`. */
  mediaGroupId?: string;
}

/** A text, or a kind kept as readable text (location, contact, poll…). Link URLs are written
 * out; a forwarded message starts with a line naming its original author. */
export interface TelegramTextEvent extends TelegramEventBase {
  type: 'text';
  text: string;
  /** The whole text when it says more than `text` (a contact's vCard). */
  fullText?: string;
}

/** A message of a kind that cannot be a ticket message (a dice, a game…): the sender is told. */
export interface TelegramUnsupportedEvent extends TelegramEventBase {
  type: 'unsupported';
  /** The Bot API field of the content, e.g. `dice`. */
  kind: string;
}

export interface TelegramMediaEvent extends TelegramEventBase {
  type: 'media';
  /** The caption (link URLs written out, a forwarded message's author first), or `''`. */
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
  | TelegramUnsupportedEvent
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
  /** Language of the words we add to stored text (`Posizione`, `Inoltrato da`). Default `it`. */
  locale?: Locale;
}
