/**
 * Everything the fake Telegram Bot API remembers (bot, chats, messages, files, queued updates,
 * webhook, injected failures, recorded calls), shared by the update builders, the HTTP handler and
 * the method handlers. Internal to the fake: tests reach it through `FakeTelegramApi`.
 */
import { randomBytes } from 'node:crypto';
import type { Chat, Message, Update, User, UserFromGetMe } from 'grammy/types';
import type {
  ApiFailure,
  FakeTelegramOptions,
  RecordedCall,
  RegisteredFile,
  WebhookDelivery,
  WebhookInfoState,
} from './types.js';

/** A `getUpdates` call being held until an update arrives (or it times out, or is ended). */
export interface Poller {
  wake(reason: 'update' | 'timeout' | 'closed' | 'terminated' | 'aborted'): void;
}

/** Telegram dates: seconds since the epoch (of `date`, or now). */
export function nowSeconds(date?: Date): number {
  return Math.floor((date ?? new Date()).getTime() / 1000);
}

export class FakeTelegramState {
  readonly token: string;
  readonly tokens: Set<string>;
  readonly botInfo: UserFromGetMe;
  readonly maxLongPollMs: number;
  /** Every answered call except `getUpdates`, oldest first. */
  readonly calls: RecordedCall[] = [];
  readonly stats = {
    getUpdatesCalls: 0,
    /** `offset` of every getUpdates call (0 when absent), oldest first. */
    offsetsSeen: [] as number[],
    /** Highest update_id confirmed (dropped) through `offset`, 0 when none. */
    confirmedUpTo: 0,
  };
  readonly webhookDeliveries: WebhookDelivery[] = [];
  webhook: WebhookInfoState | undefined;
  commands: unknown[] = [];
  /** Errors thrown by the fake itself (bugs); a test may assert it stays empty. */
  readonly internalErrors: unknown[] = [];

  /** Updates queued and not yet confirmed by an `offset`, by update_id. */
  pending: Update[] = [];
  nextUpdateId: number;
  readonly pollers = new Set<Poller>();
  /** Per method: injected failures in call order; `null` lets that call through. */
  readonly failures = new Map<string, Array<ApiFailure | null>>();
  /** Per method: how long (ms) to hold each of the next calls before answering (a slow peer). */
  readonly holds = new Map<string, number[]>();
  readonly chats = new Map<number, Chat>();
  readonly lastMessageId = new Map<number, number>();
  /** Inbound and sent messages, keyed `chatId:messageId`. */
  readonly messages = new Map<string, Message>();
  /** Downloadable files by file_id. */
  readonly files = new Map<string, RegisteredFile>();
  readonly callbackQueries = new Map<string, { answered: boolean }>();
  readonly blockedChats = new Set<number>();
  readonly migratedChats = new Map<number, number>();
  /** Called after every recorded call (see `waitForSent`). */
  readonly sentListeners = new Set<() => void>();
  closed = false;
  private counter = 0;

  constructor(options: FakeTelegramOptions) {
    const botId = options.botId ?? 7_000_000_001;
    this.token = options.token ?? `${botId}:AAFakeToken${randomBytes(8).toString('hex')}`;
    this.tokens = new Set([this.token, ...(options.extraTokens ?? [])]);
    this.maxLongPollMs = options.maxLongPollMs ?? 1000;
    this.nextUpdateId = options.firstUpdateId ?? 100;
    this.botInfo = {
      id: botId,
      is_bot: true,
      first_name: options.botFirstName ?? 'Helpdesk',
      username: options.botUsername ?? 'HelpdeskTestBot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
  }

  /** A fresh number for ids and file names. */
  nextCounter(): number {
    this.counter += 1;
    return this.counter;
  }

  /** The update with its `update_id` (the next one when absent; a given one moves the next past it). */
  withUpdateId(update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    if (update.update_id !== undefined) {
      this.nextUpdateId = Math.max(this.nextUpdateId, update.update_id + 1);
      return update as Update;
    }
    const full = { update_id: this.nextUpdateId, ...update } as Update;
    this.nextUpdateId += 1;
    return full;
  }

  /** Registers bytes downloadable through getFile + `GET /file/bot<token>/<file_path>`. */
  addFile(
    content: Uint8Array | string,
    options: { fileId?: string; fileUniqueId?: string; filePath?: string } = {},
  ): RegisteredFile {
    const n = this.nextCounter();
    const bytes = Buffer.from(typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    const file: RegisteredFile = {
      fileId: options.fileId ?? `BQACAgIAAxkBAAI${n}${randomBytes(6).toString('hex')}`,
      fileUniqueId: options.fileUniqueId ?? `AgAD${n}${randomBytes(3).toString('hex')}`,
      filePath: options.filePath ?? `documents/file_${n}`,
      size: bytes.length,
      content: bytes,
    };
    this.files.set(file.fileId, file);
    return file;
  }

  /** A message (or any stored message, inbound or sent) by chat and id. */
  message(chatId: number | string, messageId: number): Message | undefined {
    return this.messages.get(`${Number(chatId)}:${messageId}`);
  }

  botUser(): User {
    return {
      id: this.botInfo.id,
      is_bot: true,
      first_name: this.botInfo.first_name,
      username: this.botInfo.username,
    };
  }

  /** Message ids increase per chat; inbound and outbound messages share the counter. */
  nextMessageId(chatId: number): number {
    const next = (this.lastMessageId.get(chatId) ?? 0) + 1;
    this.lastMessageId.set(chatId, next);
    return next;
  }

  /** The message replied to, as `reply_to_message` carries it (without its own reply). */
  replyTarget(chatId: number, messageId: number): Message {
    const stored = this.message(chatId, messageId);
    if (stored) {
      const { reply_to_message: _nested, ...rest } = stored;
      return rest as Message;
    }
    return {
      message_id: messageId,
      from: this.botUser(),
      chat: this.chats.get(chatId) ?? ({ id: chatId, type: 'private', first_name: 'Mario' } as Chat),
      date: nowSeconds(),
      text: '…',
    } as Message;
  }
}
