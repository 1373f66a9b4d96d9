/**
 * The public types of the fake Telegram Bot API (re-exported by `test/helpers/fake-telegram-api.ts`).
 */
import type { MessageEntity, MessageOrigin, ResponseParameters, Update, User } from 'grammy/types';

export type ApiParams = Record<string, unknown>;

export interface ApiFailure {
  error_code: number;
  description: string;
  parameters?: ResponseParameters;
}

export type ApiResponse = { ok: true; result: unknown } | ({ ok: false } & ApiFailure);

export interface UploadedFile {
  /** Multipart part name (grammY uses a random id referenced as `attach://id`). */
  field: string;
  filename: string;
  contentType: string;
  content: Buffer;
}

/** One API call the fake answered (every method but `getUpdates`). */
export interface RecordedCall {
  method: string;
  params: ApiParams;
  /** Uploads, keyed by the parameter that referenced them (`document`, `photo`, …). */
  files: Record<string, UploadedFile>;
  response: ApiResponse;
  /** The `result` of a successful call (e.g. the sent Message). */
  result?: unknown;
  ok: boolean;
  at: Date;
}

export interface WebhookInfoState {
  url: string;
  secretToken?: string;
  maxConnections?: number;
  allowedUpdates?: string[];
}

export interface WebhookDelivery {
  update: Update;
  status: number;
  body: string;
}

export interface FakeTelegramOptions {
  token?: string;
  /** Extra tokens also accepted (all act as the same bot). */
  extraTokens?: string[];
  botId?: number;
  botUsername?: string;
  botFirstName?: string;
  /** Upper bound for holding a long-poll `getUpdates`, whatever `timeout` asks. Default 1000. */
  maxLongPollMs?: number;
  /** update_id of the first update. Default 100. */
  firstUpdateId?: number;
}

export interface SenderOptions {
  fromId: number | string;
  /** Defaults to `fromId` (a private chat). */
  chatId?: number | string;
  /** Defaults: private when chatId = fromId, supergroup for `-100…` ids, group for other negatives. */
  chatType?: 'private' | 'group' | 'supergroup';
  chatTitle?: string;
  username?: string;
  firstName?: string;
  lastName?: string;
  languageCode?: string;
  isBot?: boolean;
  replyToMessageId?: number;
  /** Defaults to the chat's next message id. */
  messageId?: number;
  date?: Date;
  /** Forum topic id (sets `message_thread_id` and `is_topic_message`). */
  topicId?: number;
  /** A forwarded message: who wrote it (Bot API 7+ `forward_origin`). */
  forwardOrigin?: MessageOrigin;
  /** A forwarded message as Bot API servers before 7.0 describe it (`forward_from`…). */
  legacyForward?: {
    from?: User;
    senderName?: string;
    fromChat?: { id: number; type: 'channel' | 'supergroup' | 'group'; title: string; username?: string };
    signature?: string;
    date?: Date;
  };
}

/** A caption's entities and an album's id, for media builders. */
export interface CaptionOptions {
  caption?: string;
  captionEntities?: MessageEntity[];
  /** Items of one album share this id (Telegram gives a long numeric string). */
  mediaGroupId?: string;
}

export interface FileOptions {
  /** Bytes served by `getFile` + `GET /file/...`; when absent the file is not downloadable. */
  content?: Uint8Array | string;
  fileId?: string;
  fileUniqueId?: string;
  size?: number;
}

export interface RegisteredFile {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  size: number;
  content: Buffer;
}
