/**
 * A local fake of the Telegram Bot API, good enough for the real grammY client in long polling
 * and webhook mode:
 *
 *   const fake = await FakeTelegramApi.start();
 *   const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot }, botInfo: fake.botInfo });
 *
 * grammY POSTs JSON (multipart/form-data for uploads) to `/bot<token>/<method>` and expects
 * `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }`. Files are
 * served at `GET /file/bot<token>/<file_path>`.
 *
 * Realism: dates in seconds, message ids increase per chat (inbound and outbound share the
 * counter), `getUpdates` honours `offset`/`limit`/`timeout` (capped by `maxLongPollMs`), a newer
 * `getUpdates` ends a held one with 409, `getUpdates` with a webhook set gives 409, HTML texts are
 * parsed (bad tags → 400 "can't parse entities", over 4096 characters after parsing → 400
 * "message is too long"), callback data over 64 bytes → 400 BUTTON_DATA_INVALID.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  Chat,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  PhotoSize,
  ResponseParameters,
  Update,
  User,
  UserFromGetMe,
} from 'grammy/types';

// ---------------------------------------------------------------------------------------------
// Public types

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

/** Ready-made failures for `failNext`. */
export const telegramErrors = {
  tooManyRequests: (retryAfter = 5): ApiFailure => ({
    error_code: 429,
    description: `Too Many Requests: retry after ${retryAfter}`,
    parameters: { retry_after: retryAfter },
  }),
  blocked: (): ApiFailure => ({ error_code: 403, description: 'Forbidden: bot was blocked by the user' }),
  userDeactivated: (): ApiFailure => ({ error_code: 403, description: 'Forbidden: user is deactivated' }),
  kicked: (): ApiFailure => ({
    error_code: 403,
    description: 'Forbidden: bot was kicked from the group chat',
  }),
  chatNotFound: (): ApiFailure => ({ error_code: 400, description: 'Bad Request: chat not found' }),
  migrated: (toChatId: number): ApiFailure => ({
    error_code: 400,
    description: 'Bad Request: group chat was upgraded to a supergroup chat',
    parameters: { migrate_to_chat_id: toChatId },
  }),
  serverError: (): ApiFailure => ({ error_code: 500, description: 'Internal Server Error' }),
  badGateway: (): ApiFailure => ({ error_code: 502, description: 'Bad Gateway' }),
} as const;

// ---------------------------------------------------------------------------------------------
// Internals

class Failure extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.description);
  }
}

const bad = (description: string, parameters?: ResponseParameters): Failure =>
  new Failure({
    error_code: 400,
    description: `Bad Request: ${description}`,
    ...(parameters ? { parameters } : {}),
  });

/** Methods whose successful calls are not "sent" (reads and bot administration). */
const NOT_OUTBOUND = new Set([
  'getme',
  'getupdates',
  'getfile',
  'getwebhookinfo',
  'setwebhook',
  'deletewebhook',
  'setmycommands',
  'getmycommands',
  'deletemycommands',
  'logout',
  'close',
]);

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

const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'tg-emoji',
  'code',
  'pre',
  'blockquote',
]);

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** Parses Telegram HTML into its plain text, throwing Telegram's errors for bad markup. */
function parseHtml(html: string): string {
  let text = '';
  const open: string[] = [];
  let i = 0;
  const byteOffset = (index: number) => Buffer.byteLength(html.slice(0, index));
  while (i < html.length) {
    const c = html[i]!;
    if (c === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) throw bad(`can't parse entities: Unclosed start tag at byte offset ${byteOffset(i)}`);
      const inner = html.slice(i + 1, end);
      if (inner.startsWith('/')) {
        const name = inner.slice(1).trim().toLowerCase();
        const expected = open.pop();
        if (expected !== name) {
          throw bad(
            `can't parse entities: Unmatched end tag at byte offset ${byteOffset(i)}, expected "</${expected ?? ''}>", found "</${name}>"`,
          );
        }
      } else {
        const name = (/^[a-zA-Z][\w-]*/.exec(inner)?.[0] ?? '').toLowerCase();
        if (!HTML_TAGS.has(name)) {
          throw bad(`can't parse entities: Unsupported start tag "${name}" at byte offset ${byteOffset(i)}`);
        }
        open.push(name);
      }
      i = end + 1;
    } else if (c === '&') {
      const match = /^&(?:#(\d+)|#x([0-9a-fA-F]+)|([a-zA-Z]+));/.exec(html.slice(i, i + 12));
      if (match?.[1] || match?.[2]) {
        text += String.fromCodePoint(match[1] ? Number(match[1]) : Number.parseInt(match[2]!, 16));
        i += match[0].length;
      } else if (match?.[3] && NAMED_ENTITIES[match[3]] !== undefined) {
        text += NAMED_ENTITIES[match[3]];
        i += match[0].length;
      } else {
        text += c; // Telegram leaves a stray '&' as it is.
        i++;
      }
    } else {
      text += c;
      i++;
    }
  }
  if (open.length > 0) {
    throw bad(
      `can't parse entities: Can't find end tag corresponding to start tag "${open[open.length - 1]}"`,
    );
  }
  return text;
}

function nowSeconds(date?: Date): number {
  return Math.floor((date ?? new Date()).getTime() / 1000);
}

function toInt(value: unknown, name: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw bad(`${name} is empty`);
  return n;
}

function optionalInt(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function asObject<T>(value: unknown): T | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as T;
    } catch {
      throw bad("can't parse JSON object");
    }
  }
  return value as T;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseMultipart(body: Buffer, boundary: string): { fields: ApiParams; files: UploadedFile[] } {
  const fields: ApiParams = {};
  const files: UploadedFile[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next < 0) break;
    // Part: CRLF headers CRLF CRLF content CRLF
    let part = body.subarray(partStart, next);
    if (part.subarray(0, 2).toString() === '\r\n') part = part.subarray(2);
    if (part.subarray(part.length - 2).toString() === '\r\n') part = part.subarray(0, part.length - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, Math.max(headerEnd, 0)).toString('utf8');
    const content = headerEnd < 0 ? part : part.subarray(headerEnd + 4);
    const name = /(?:^|[;\s])name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename="?([^";\r\n]*)"?/i.exec(headers)?.[1];
    const contentType = /content-type:\s*([^\r\n;]+)/i.exec(headers)?.[1]?.trim();
    if (name !== undefined) {
      if (filename !== undefined) {
        files.push({
          field: name,
          filename,
          contentType: contentType ?? 'application/octet-stream',
          content: Buffer.from(content),
        });
      } else {
        const value = content.toString('utf8');
        fields[name] = /^[[{]/.test(value) ? (asObject(value) ?? value) : value;
      }
    }
    start = next;
  }
  return { fields, files };
}

const NOT_FOUND = Symbol('not found');

interface Poller {
  wake(reason: 'update' | 'timeout' | 'closed' | 'terminated' | 'aborted'): void;
}

// ---------------------------------------------------------------------------------------------
// The fake

export class FakeTelegramApi {
  readonly token: string;
  readonly botInfo: UserFromGetMe;
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

  private readonly tokens: Set<string>;
  private readonly maxLongPollMs: number;
  private server!: Server;
  private port = 0;
  private pending: Update[] = [];
  private nextUpdateId: number;
  private readonly pollers = new Set<Poller>();
  /** Per method: injected failures in call order; `null` lets that call through. */
  private readonly failures = new Map<string, Array<ApiFailure | null>>();
  private readonly chats = new Map<number, Chat>();
  private readonly lastMessageId = new Map<number, number>();
  private readonly messages = new Map<string, Message>();
  private readonly files = new Map<string, RegisteredFile>();
  private readonly callbackQueries = new Map<string, { answered: boolean }>();
  private readonly blockedChats = new Set<number>();
  private readonly migratedChats = new Map<number, number>();
  private readonly sentListeners = new Set<() => void>();
  private counter = 0;
  private closed = false;

  private constructor(options: FakeTelegramOptions) {
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

  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegramApi> {
    const fake = new FakeTelegramApi(options);
    fake.server = createServer((req, res) => {
      fake.handle(req, res).catch((error: unknown) => {
        fake.internalErrors.push(error);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              ok: false,
              error_code: 500,
              description: `Internal Server Error: ${String(error)}`,
            }),
          );
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** `http://127.0.0.1:PORT`, for grammY's `client.apiRoot` (no trailing slash). */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Releases held long polls (empty result), closes connections and the server. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const poller of [...this.pollers]) poller.wake('closed');
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // -------------------------------------------------------------------------------------------
  // Test controls

  /** Successful outbound calls (sendMessage, editMessageText, answerCallbackQuery, …). */
  get sent(): RecordedCall[] {
    return this.calls.filter((call) => call.ok && !NOT_OUTBOUND.has(call.method.toLowerCase()));
  }

  /** Updates queued and not yet confirmed by an `offset`. */
  get pendingUpdates(): readonly Update[] {
    return this.pending;
  }

  /** Queues an update for `getUpdates` (assigning `update_id` when absent) and wakes long polls. */
  queueUpdate(update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    const full = this.withUpdateId(update);
    const index = this.pending.findIndex((u) => u.update_id > full.update_id);
    if (index < 0) this.pending.push(full);
    else this.pending.splice(index, 0, full);
    for (const poller of [...this.pollers]) poller.wake('update');
    return full;
  }

  /** Makes the next `times` calls of `method` fail with `failure` (before any other check). */
  failNext(method: string, failure: ApiFailure, times = 1): void {
    const key = method.toLowerCase();
    const queue = this.failures.get(key) ?? [];
    for (let i = 0; i < times; i++) queue.push(failure);
    this.failures.set(key, queue);
  }

  /** Lets the next `passes` calls of `method` through, then fails `times` calls with `failure`
   * (e.g. the second part of a split message). */
  failAfter(method: string, passes: number, failure: ApiFailure, times = 1): void {
    const key = method.toLowerCase();
    const queue = this.failures.get(key) ?? [];
    for (let i = 0; i < passes; i++) queue.push(null);
    for (let i = 0; i < times; i++) queue.push(failure);
    this.failures.set(key, queue);
  }

  /** From now on every send to `chatId` answers 403 "bot was blocked by the user". */
  blockChat(chatId: number | string): void {
    this.blockedChats.add(Number(chatId));
  }

  unblockChat(chatId: number | string): void {
    this.blockedChats.delete(Number(chatId));
  }

  /** From now on sends to the old group answer 400 with `parameters.migrate_to_chat_id`. */
  migrateChat(fromChatId: number | string, toChatId: number | string): void {
    this.migratedChats.set(Number(fromChatId), Number(toChatId));
  }

  /** Resolves with the first recorded successful outbound call matching `predicate`. */
  async waitForSent(predicate: (call: RecordedCall) => boolean, timeoutMs = 5000): Promise<RecordedCall> {
    const find = () => this.sent.find(predicate);
    const found = find();
    if (found) return found;
    return await new Promise<RecordedCall>((resolve, reject) => {
      const listener = () => {
        const match = find();
        if (match) {
          clearTimeout(timer);
          this.sentListeners.delete(listener);
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        this.sentListeners.delete(listener);
        const seen = this.calls.map(
          (c) => `${c.method}${c.ok ? '' : `(failed ${c.response.ok ? '' : c.response.error_code})`}`,
        );
        reject(
          new Error(
            `waitForSent: no matching call within ${timeoutMs} ms; calls so far: ${seen.join(', ') || 'none'}`,
          ),
        );
      }, timeoutMs);
      this.sentListeners.add(listener);
    });
  }

  /** Forgets recorded calls and webhook deliveries (state such as messages and files stays). */
  clearCalls(): void {
    this.calls.length = 0;
    this.webhookDeliveries.length = 0;
  }

  /** POSTs an update to the webhook set with `setWebhook`, with its secret token (or the one
   * given, to test a wrong secret), and returns the HTTP status. */
  async deliverToWebhook(
    update: Omit<Update, 'update_id'> & { update_id?: number },
    options: { secretToken?: string | null } = {},
  ): Promise<number> {
    if (!this.webhook) throw new Error('deliverToWebhook: no webhook set (call setWebhook first)');
    const full = this.withUpdateId(update);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const secret = options.secretToken === undefined ? this.webhook.secretToken : options.secretToken;
    if (secret) headers['x-telegram-bot-api-secret-token'] = secret;
    const response = await fetch(this.webhook.url, { method: 'POST', headers, body: JSON.stringify(full) });
    const body = await response.text();
    this.webhookDeliveries.push({ update: full, status: response.status, body });
    return response.status;
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

  // -------------------------------------------------------------------------------------------
  // Update builders: each returns a complete Update with an update_id; pass it to
  // `queueUpdate` or `deliverToWebhook`. Built messages are remembered so replies to them work.

  textMessage(options: SenderOptions & { text: string; entities?: MessageEntity[] }): Update {
    const message = this.buildMessage(options, { text: options.text });
    if (options.entities) message.entities = options.entities;
    return this.messageUpdate(message);
  }

  /** `/command[@bot] [args]` with a bot_command entity at offset 0. `botUsername: true` addresses
   * this fake's bot. */
  commandMessage(
    options: SenderOptions & { command: string; args?: string; botUsername?: string | true },
  ): Update {
    const addressee =
      options.botUsername === true ? this.botInfo.username : options.botUsername?.replace(/^@/, '');
    const head = `/${options.command}${addressee ? `@${addressee}` : ''}`;
    const text = options.args ? `${head} ${options.args}` : head;
    const message = this.buildMessage(options, {
      text,
      entities: [{ type: 'bot_command', offset: 0, length: head.length }],
    });
    return this.messageUpdate(message);
  }

  /** A photo in three sizes; `content` (if given) is the largest size's bytes. */
  photoMessage(
    options: SenderOptions & FileOptions & { caption?: string; width?: number; height?: number },
  ): Update {
    const width = options.width ?? 1280;
    const height = options.height ?? 960;
    const largest = this.fileFor(options, 'photos', 'jpg');
    const sizes: PhotoSize[] = [90, 320].map((w) => {
      const small = this.fileFor(
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
    const message = this.buildMessage(options, { photo: sizes, ...this.caption(options.caption) });
    return this.messageUpdate(message);
  }

  documentMessage(
    options: SenderOptions & FileOptions & { fileName?: string; mimeType?: string; caption?: string },
  ): Update {
    const file = this.fileFor(options, 'documents', options.fileName?.split('.').pop() ?? 'bin');
    const message = this.buildMessage(options, {
      document: {
        file_id: file.fileId,
        file_unique_id: file.fileUniqueId,
        file_size: file.size,
        ...(options.fileName ? { file_name: options.fileName } : {}),
        ...(options.mimeType ? { mime_type: options.mimeType } : {}),
      },
      ...this.caption(options.caption),
    });
    return this.messageUpdate(message);
  }

  voiceMessage(
    options: SenderOptions & FileOptions & { duration?: number; mimeType?: string; caption?: string },
  ): Update {
    const file = this.fileFor(options, 'voice', 'oga');
    const message = this.buildMessage(options, {
      voice: {
        file_id: file.fileId,
        file_unique_id: file.fileUniqueId,
        duration: options.duration ?? 3,
        mime_type: options.mimeType ?? 'audio/ogg',
        file_size: file.size,
      },
      ...this.caption(options.caption),
    });
    return this.messageUpdate(message);
  }

  stickerMessage(options: SenderOptions & { emoji?: string }): Update {
    const file = this.fileFor({ size: 24_000 }, 'stickers', 'webp');
    const message = this.buildMessage(options, {
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
    return this.messageUpdate(message);
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
    const original = this.message(chatId, options.messageId);
    const message: Message = original
      ? { ...original }
      : this.buildMessage({ ...options, messageId: options.messageId }, { text: options.text }, false);
    if (options.caption) message.caption = options.text;
    else message.text = options.text;
    const edited = { ...message, edit_date: nowSeconds(options.editDate) } as Message & { edit_date: number };
    this.messages.set(`${chatId}:${options.messageId}`, edited);
    return this.withUpdateId({ edited_message: edited as Update['edited_message'] });
  }

  /** A button press on message `messageId` of `chatId` (a message the bot sent, ideally). */
  callbackQuery(options: Omit<SenderOptions, 'messageId'> & { messageId: number; data: string }): Update {
    const chatId = Number(options.chatId ?? options.fromId);
    const message =
      this.message(chatId, options.messageId) ??
      ({
        message_id: options.messageId,
        from: this.botUser(),
        chat: this.chatFor(options),
        date: nowSeconds(),
        text: '…',
      } as Message);
    const id = `${BigInt(Number(options.fromId)) * 1000n + BigInt(this.nextCounter())}`;
    this.callbackQueries.set(id, { answered: false });
    return this.withUpdateId({
      callback_query: {
        id,
        from: this.user(options),
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
    const message = this.buildMessage(
      { fromId: options.fromId, chatId: options.chatId, chatType: 'group' },
      { migrate_to_chat_id: Number(options.toChatId) },
    );
    return this.messageUpdate(message);
  }

  /** The matching first service message in the new supergroup. */
  migrateFromChat(options: {
    fromId: number | string;
    chatId: number | string;
    fromChatId: number | string;
  }): Update {
    const message = this.buildMessage(
      { fromId: options.fromId, chatId: options.chatId, chatType: 'supergroup' },
      { migrate_from_chat_id: Number(options.fromChatId) },
    );
    return this.messageUpdate(message);
  }

  /** Members joined a group (`members` may include `'bot'` for this bot). */
  newChatMembers(
    options: SenderOptions & { members: Array<{ id: number; firstName: string; isBot?: boolean } | 'bot'> },
  ): Update {
    const members: User[] = options.members.map((m) =>
      m === 'bot' ? this.botUser() : { id: m.id, is_bot: m.isBot ?? false, first_name: m.firstName },
    );
    const message = this.buildMessage(options, { new_chat_members: members });
    return this.messageUpdate(message);
  }

  /** A post in a channel where the bot is an admin. */
  channelPost(options: { chatId: number | string; text: string; title?: string }): Update {
    const chatId = Number(options.chatId);
    const chat: Chat = { id: chatId, type: 'channel', title: options.title ?? 'News' };
    this.chats.set(chatId, chat);
    const message = {
      message_id: this.nextMessageId(chatId),
      sender_chat: chat,
      chat,
      date: nowSeconds(),
      text: options.text,
    } as Message;
    this.messages.set(`${chatId}:${message.message_id}`, message);
    return this.withUpdateId({ channel_post: message as Update['channel_post'] });
  }

  // -------------------------------------------------------------------------------------------
  // Builders' helpers

  private nextCounter(): number {
    this.counter += 1;
    return this.counter;
  }

  private withUpdateId(update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    if (update.update_id !== undefined) {
      this.nextUpdateId = Math.max(this.nextUpdateId, update.update_id + 1);
      return update as Update;
    }
    const full = { update_id: this.nextUpdateId, ...update } as Update;
    this.nextUpdateId += 1;
    return full;
  }

  private messageUpdate(message: Message): Update {
    return this.withUpdateId({ message: message as Update['message'] });
  }

  private caption(caption: string | undefined): Partial<Message> {
    return caption === undefined ? {} : { caption };
  }

  private fileFor(options: FileOptions, folder: string, ext: string): RegisteredFile {
    const n = this.nextCounter();
    const content = options.content ?? Buffer.alloc(0);
    const file = this.addFile(content, {
      ...(options.fileId ? { fileId: options.fileId } : {}),
      ...(options.fileUniqueId ? { fileUniqueId: options.fileUniqueId } : {}),
      filePath: `${folder}/file_${n}.${ext}`,
    });
    if (options.content === undefined) {
      // No bytes: keep the advertised size, but getFile will say the file is not available.
      file.size = options.size ?? 1024 * n;
      this.files.delete(file.fileId);
    } else if (options.size !== undefined) {
      file.size = options.size;
    }
    return file;
  }

  private botUser(): User {
    return {
      id: this.botInfo.id,
      is_bot: true,
      first_name: this.botInfo.first_name,
      username: this.botInfo.username,
    };
  }

  private user(options: SenderOptions): User {
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

  private chatFor(options: SenderOptions): Chat {
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
        title: options.chatTitle ?? (this.chats.get(chatId)?.title || 'Support group'),
      };
    }
    this.chats.set(chatId, chat);
    return chat;
  }

  private nextMessageId(chatId: number): number {
    const next = (this.lastMessageId.get(chatId) ?? 0) + 1;
    this.lastMessageId.set(chatId, next);
    return next;
  }

  private replyTarget(chatId: number, messageId: number): Message {
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

  private buildMessage(options: SenderOptions, content: Partial<Message>, store = true): Message {
    const chat = this.chatFor(options);
    const messageId = options.messageId ?? this.nextMessageId(chat.id);
    if (options.messageId !== undefined) {
      this.lastMessageId.set(chat.id, Math.max(this.lastMessageId.get(chat.id) ?? 0, options.messageId));
    }
    const message = {
      message_id: messageId,
      from: this.user(options),
      chat,
      date: nowSeconds(options.date),
      ...content,
    } as Message;
    if (options.topicId !== undefined) {
      message.message_thread_id = options.topicId;
      message.is_topic_message = true;
    }
    if (options.replyToMessageId !== undefined) {
      message.reply_to_message = this.replyTarget(chat.id, options.replyToMessageId) as Message & {
        reply_to_message: undefined;
      };
    }
    if (store) this.messages.set(`${chat.id}:${messageId}`, message);
    return message;
  }

  // -------------------------------------------------------------------------------------------
  // HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fileRoute = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileRoute && (req.method === 'GET' || req.method === 'HEAD')) {
      await readBody(req);
      if (!this.tokens.has(fileRoute[1]!))
        return this.reply(res, { ok: false, error_code: 401, description: 'Unauthorized' });
      const path = decodeURIComponent(fileRoute[2]!);
      const file = [...this.files.values()].find((f) => f.filePath === path);
      if (!file) return this.reply(res, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': file.content.length,
      });
      res.end(req.method === 'HEAD' ? undefined : file.content);
      return;
    }
    const route = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(url.pathname);
    const body = await readBody(req);
    if (!route) return this.reply(res, { ok: false, error_code: 404, description: 'Not Found' });
    if (!this.tokens.has(route[1]!))
      return this.reply(res, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = route[2]!;

    let params: ApiParams;
    let uploads: UploadedFile[] = [];
    try {
      ({ params, uploads } = this.parseParams(req, url, body));
    } catch (error) {
      if (error instanceof Failure) return this.reply(res, { ok: false, ...error.failure });
      throw error;
    }
    const files: Record<string, UploadedFile> = {};
    for (const [key, value] of Object.entries(params)) {
      if (typeof value === 'string' && value.startsWith('attach://')) {
        const upload = uploads.find((u) => u.field === value.slice('attach://'.length));
        if (upload) files[key] = upload;
      }
    }
    // Uploads sent directly under the parameter name (other clients).
    for (const upload of uploads) {
      if (!Object.values(files).includes(upload) && params[upload.field] === undefined)
        files[upload.field] = upload;
    }

    const key = method.toLowerCase();
    let response: ApiResponse;
    const injected = this.failures.get(key)?.shift();
    if (injected) {
      response = { ok: false, ...injected };
      if (key === 'getupdates') this.stats.getUpdatesCalls += 1;
    } else {
      try {
        const result = await this.dispatch(key, params, files, res);
        if (result === NOT_FOUND) {
          return this.reply(res, { ok: false, error_code: 404, description: 'Not Found' });
        }
        response = { ok: true, result };
      } catch (error) {
        if (!(error instanceof Failure)) throw error;
        response = { ok: false, ...error.failure };
      }
    }
    if (key !== 'getupdates') {
      this.calls.push({
        method,
        params,
        files,
        response,
        ok: response.ok,
        at: new Date(),
        ...(response.ok ? { result: response.result } : {}),
      });
      for (const listener of [...this.sentListeners]) listener();
    }
    this.reply(res, response);
  }

  private reply(res: ServerResponse, response: ApiResponse): void {
    if (res.writableEnded || res.destroyed) return;
    const status = response.ok ? 200 : response.error_code;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(response));
  }

  private parseParams(
    req: IncomingMessage,
    url: URL,
    body: Buffer,
  ): { params: ApiParams; uploads: UploadedFile[] } {
    const params: ApiParams = Object.fromEntries(url.searchParams);
    const type = req.headers['content-type'] ?? '';
    if (body.length === 0) return { params, uploads: [] };
    if (type.includes('multipart/form-data')) {
      const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
      if (!boundary) throw bad('invalid multipart boundary');
      const { fields, files } = parseMultipart(body, (boundary[1] ?? boundary[2])!.trim());
      return { params: { ...params, ...fields }, uploads: files };
    }
    if (type.includes('application/x-www-form-urlencoded')) {
      return {
        params: { ...params, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) },
        uploads: [],
      };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw bad("can't parse JSON object");
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw bad("can't parse JSON object");
    return { params: { ...params, ...(parsed as ApiParams) }, uploads: [] };
  }

  private async dispatch(
    method: string,
    p: ApiParams,
    files: Record<string, UploadedFile>,
    res: ServerResponse,
  ): Promise<unknown> {
    switch (method) {
      case 'getme':
        return this.botInfo;
      case 'getupdates':
        return await this.getUpdates(p, res);
      case 'setwebhook':
        return this.setWebhook(p);
      case 'deletewebhook':
        this.webhook = undefined;
        if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') this.pending = [];
        return true;
      case 'getwebhookinfo':
        return {
          url: this.webhook?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: this.pending.length,
          ...(this.webhook?.maxConnections ? { max_connections: this.webhook.maxConnections } : {}),
          ...(this.webhook?.allowedUpdates ? { allowed_updates: this.webhook.allowedUpdates } : {}),
        };
      case 'sendmessage':
        return this.sendMessage(p);
      case 'senddocument':
        return this.sendDocument(p, files);
      case 'editmessagetext':
        return this.editMessage(p, 'text');
      case 'editmessagereplymarkup':
        return this.editMessage(p, 'markup');
      case 'answercallbackquery':
        return this.answerCallbackQuery(p);
      case 'sendchataction': {
        this.targetChat(p);
        if (typeof p.action !== 'string' || !CHAT_ACTIONS.has(p.action)) {
          throw bad('wrong parameter action in request');
        }
        return true;
      }
      case 'getfile': {
        const file = typeof p.file_id === 'string' ? this.files.get(p.file_id) : undefined;
        if (!file) throw bad('invalid file_id');
        if (file.size > 20 * 1024 * 1024) throw bad('file is too big');
        return {
          file_id: file.fileId,
          file_unique_id: file.fileUniqueId,
          file_size: file.size,
          file_path: file.filePath,
        };
      }
      case 'setmycommands':
        this.commands = asObject<unknown[]>(p.commands) ?? [];
        return true;
      case 'getmycommands':
        return this.commands;
      case 'deletemycommands':
        this.commands = [];
        return true;
      default:
        return NOT_FOUND;
    }
  }

  private async getUpdates(p: ApiParams, res: ServerResponse): Promise<Update[]> {
    this.stats.getUpdatesCalls += 1;
    if (this.webhook) {
      throw new Failure({
        error_code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    }
    const offset = optionalInt(p.offset) ?? 0;
    const limit = Math.min(100, Math.max(1, optionalInt(p.limit) ?? 100));
    const timeoutMs = Math.min(this.maxLongPollMs, Math.max(0, (optionalInt(p.timeout) ?? 0) * 1000));
    this.stats.offsetsSeen.push(offset);
    if (offset > 0) {
      const dropped = this.pending.filter((u) => u.update_id < offset);
      if (dropped.length > 0) {
        this.stats.confirmedUpTo = Math.max(this.stats.confirmedUpTo, ...dropped.map((u) => u.update_id));
      }
      this.pending = this.pending.filter((u) => u.update_id >= offset);
    } else if (offset < 0) {
      const kept = this.pending.slice(offset);
      const dropped = this.pending.slice(0, this.pending.length - kept.length);
      if (dropped.length > 0) {
        this.stats.confirmedUpTo = Math.max(this.stats.confirmedUpTo, ...dropped.map((u) => u.update_id));
      }
      this.pending = kept;
    }
    // Like Telegram: a newer getUpdates ends the one still being held.
    for (const poller of [...this.pollers]) poller.wake('terminated');

    const take = () => this.pending.filter((u) => offset <= 0 || u.update_id >= offset).slice(0, limit);
    const ready = take();
    if (ready.length > 0 || timeoutMs === 0 || this.closed) return ready;

    const reason = await new Promise<Parameters<Poller['wake']>[0]>((resolve) => {
      const poller: Poller = {
        wake: (why) => {
          clearTimeout(timer);
          this.pollers.delete(poller);
          res.off('close', onClose);
          resolve(why);
        },
      };
      const onClose = () => poller.wake('aborted');
      const timer = setTimeout(() => poller.wake('timeout'), timeoutMs);
      res.on('close', onClose);
      this.pollers.add(poller);
    });
    if (reason === 'terminated') {
      throw new Failure({
        error_code: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      });
    }
    return reason === 'closed' || reason === 'aborted' ? [] : take();
  }

  private setWebhook(p: ApiParams): true {
    const url = typeof p.url === 'string' ? p.url : '';
    if (url === '') {
      this.webhook = undefined;
      return true;
    }
    if (!/^https?:\/\//.test(url)) throw bad('bad webhook: An HTTPS URL must be provided for webhook');
    const secret = typeof p.secret_token === 'string' && p.secret_token !== '' ? p.secret_token : undefined;
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
      throw bad('secret token contains unallowed characters');
    }
    const allowed = asObject<string[]>(p.allowed_updates);
    const maxConnections = optionalInt(p.max_connections);
    this.webhook = {
      url,
      ...(secret ? { secretToken: secret } : {}),
      ...(allowed ? { allowedUpdates: allowed } : {}),
      ...(maxConnections ? { maxConnections } : {}),
    };
    if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') this.pending = [];
    return true;
  }

  /** The chat a send targets, applying blocked / migrated simulations. */
  private targetChat(p: ApiParams): Chat {
    if (p.chat_id === undefined || p.chat_id === '') throw bad('chat_id is empty');
    if (typeof p.chat_id === 'string' && p.chat_id.startsWith('@')) throw bad('chat not found');
    const chatId = toInt(p.chat_id, 'chat_id');
    const migratedTo = this.migratedChats.get(chatId);
    if (migratedTo !== undefined) throw new Failure(telegramErrors.migrated(migratedTo));
    if (this.blockedChats.has(chatId)) {
      throw new Failure(chatId > 0 ? telegramErrors.blocked() : telegramErrors.kicked());
    }
    const known = this.chats.get(chatId);
    if (known) return known;
    const chat: Chat =
      chatId > 0
        ? { id: chatId, type: 'private', first_name: `User ${chatId}` }
        : {
            id: chatId,
            type: String(chatId).startsWith('-100') ? 'supergroup' : 'group',
            title: 'Support group',
          };
    this.chats.set(chatId, chat);
    return chat;
  }

  private checkMarkup(p: ApiParams): InlineKeyboardMarkup | undefined {
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

  private renderText(raw: unknown, parseMode: unknown, limit: number, what: 'message' | 'caption'): string {
    const source = typeof raw === 'string' ? raw : raw === undefined ? '' : String(raw);
    const text = parseMode === 'HTML' ? parseHtml(source) : source;
    if (what === 'message' && text.trim() === '') throw bad('message text is empty');
    if (text.length > limit)
      throw bad(what === 'message' ? 'message is too long' : 'message caption is too long');
    return text;
  }

  private resolveReply(p: ApiParams, chat: Chat): Message | undefined {
    const parameters = asObject<{ message_id?: number; allow_sending_without_reply?: boolean }>(
      p.reply_parameters,
    );
    const replyId = optionalInt(parameters?.message_id ?? p.reply_to_message_id);
    if (replyId === undefined) return undefined;
    const target = this.message(chat.id, replyId);
    if (!target) {
      const allow = parameters?.allow_sending_without_reply ?? p.allow_sending_without_reply;
      if (allow === true || allow === 'true') return undefined;
      throw bad('message to be replied not found');
    }
    return this.replyTarget(chat.id, replyId);
  }

  private storeOutbound(chat: Chat, content: Partial<Message>, p: ApiParams): Message {
    const markup = this.checkMarkup(p);
    const reply = this.resolveReply(p, chat);
    const message = {
      message_id: this.nextMessageId(chat.id),
      from: this.botUser(),
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
    this.messages.set(`${chat.id}:${message.message_id}`, message);
    return message;
  }

  private sendMessage(p: ApiParams): Message {
    const chat = this.targetChat(p);
    const text = this.renderText(p.text, p.parse_mode, 4096, 'message');
    return this.storeOutbound(chat, { text }, p);
  }

  private sendDocument(p: ApiParams, files: Record<string, UploadedFile>): Message {
    const chat = this.targetChat(p);
    const caption =
      p.caption === undefined ? undefined : this.renderText(p.caption, p.parse_mode, 1024, 'caption');
    const upload = files.document;
    let document: NonNullable<Message['document']>;
    if (upload) {
      if (upload.content.length > 50 * 1024 * 1024) throw bad('file is too big');
      const stored = this.addFile(upload.content, { filePath: `documents/file_${this.nextCounter()}` });
      document = {
        file_id: stored.fileId,
        file_unique_id: stored.fileUniqueId,
        file_name: upload.filename,
        mime_type: upload.contentType,
        file_size: stored.size,
      };
    } else if (typeof p.document === 'string' && this.files.has(p.document)) {
      const stored = this.files.get(p.document)!;
      document = { file_id: stored.fileId, file_unique_id: stored.fileUniqueId, file_size: stored.size };
    } else if (typeof p.document === 'string' && /^https?:\/\//.test(p.document)) {
      document = {
        file_id: `BQACAgIAAxkBAAI${this.nextCounter()}url`,
        file_unique_id: `AgADurl${this.nextCounter()}`,
        file_name: p.document.split('/').pop() || 'file',
      };
    } else {
      throw bad('wrong file identifier/HTTP URL specified');
    }
    return this.storeOutbound(chat, { document, ...(caption !== undefined ? { caption } : {}) }, p);
  }

  private editMessage(p: ApiParams, what: 'text' | 'markup'): Message | true {
    if (p.inline_message_id !== undefined) {
      if (what === 'text') this.renderText(p.text, p.parse_mode, 4096, 'message');
      this.checkMarkup(p);
      return true;
    }
    const chat = this.targetChat(p);
    const messageId = toInt(p.message_id, 'message_id');
    const stored = this.message(chat.id, messageId);
    if (!stored) throw bad('message to edit not found');
    if (stored.from?.id !== this.botInfo.id) throw bad("message can't be edited");
    const markup = this.checkMarkup(p);
    const updated: Message = { ...stored };
    if (what === 'text') updated.text = this.renderText(p.text, p.parse_mode, 4096, 'message');
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
    this.messages.set(`${chat.id}:${messageId}`, updated);
    return updated;
  }

  private answerCallbackQuery(p: ApiParams): true {
    const id =
      typeof p.callback_query_id === 'string' ? p.callback_query_id : String(p.callback_query_id ?? '');
    const query = this.callbackQueries.get(id);
    if (!query || query.answered) {
      throw bad('query is too old and response timeout expired or query ID is invalid');
    }
    if (typeof p.text === 'string' && p.text.length > 200) throw bad('MESSAGE_TOO_LONG');
    query.answered = true;
    return true;
  }
}
