/**
 * `FakeTelegramApi`: starts and stops the fake's HTTP server and offers the test controls (queue
 * updates, inject failures, block or migrate chats, wait for sends). The update builders come from
 * `TelegramUpdateBuilders` and `TelegramContentBuilders`; requests are answered by `handleRequest`. See
 * `test/helpers/fake-telegram-api.ts` for what the fake simulates.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message, Update, UserFromGetMe } from 'grammy/types';
import { TelegramContentBuilders } from './content-builders.js';
import { FakeTelegramState } from './fake-state.js';
import { handleRequest } from './request-handler.js';
import type {
  ApiFailure,
  FakeTelegramOptions,
  RecordedCall,
  RegisteredFile,
  WebhookDelivery,
  WebhookInfoState,
} from './types.js';
import { deliverToWebhook } from './webhook-methods.js';

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

export class FakeTelegramApi extends TelegramContentBuilders {
  readonly token: string = this.state.token;
  readonly botInfo: UserFromGetMe = this.state.botInfo;
  /** Every answered call except `getUpdates`, oldest first. */
  readonly calls: RecordedCall[] = this.state.calls;
  readonly stats: FakeTelegramState['stats'] = this.state.stats;
  readonly webhookDeliveries: WebhookDelivery[] = this.state.webhookDeliveries;
  /** Errors thrown by the fake itself (bugs); a test may assert it stays empty. */
  readonly internalErrors: unknown[] = this.state.internalErrors;

  private server!: Server;
  private port = 0;

  private constructor(options: FakeTelegramOptions) {
    super(new FakeTelegramState(options));
  }

  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegramApi> {
    const fake = new FakeTelegramApi(options);
    fake.server = createServer((req, res) => {
      handleRequest(fake.state, req, res).catch((error: unknown) => {
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

  /** The webhook set with `setWebhook`, if any. */
  get webhook(): WebhookInfoState | undefined {
    return this.state.webhook;
  }

  set webhook(webhook: WebhookInfoState | undefined) {
    this.state.webhook = webhook;
  }

  /** The commands set with `setMyCommands`. */
  get commands(): unknown[] {
    return this.state.commands;
  }

  set commands(commands: unknown[]) {
    this.state.commands = commands;
  }

  /** Releases held long polls (empty result), closes connections and the server. */
  async close(): Promise<void> {
    if (this.state.closed) return;
    this.state.closed = true;
    for (const poller of [...this.state.pollers]) poller.wake('closed');
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
    return this.state.pending;
  }

  /** Queues an update for `getUpdates` (assigning `update_id` when absent) and wakes long polls. */
  queueUpdate(update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    const full = this.state.withUpdateId(update);
    const pending = this.state.pending;
    const index = pending.findIndex((u) => u.update_id > full.update_id);
    if (index < 0) pending.push(full);
    else pending.splice(index, 0, full);
    for (const poller of [...this.state.pollers]) poller.wake('update');
    return full;
  }

  /** Makes the next `times` calls of `method` fail with `failure` (before any other check). */
  failNext(method: string, failure: ApiFailure, times = 1): void {
    const key = method.toLowerCase();
    const queue = this.state.failures.get(key) ?? [];
    for (let i = 0; i < times; i++) queue.push(failure);
    this.state.failures.set(key, queue);
  }

  /** Forgets the failures still queued for `method` (the peer is back). */
  clearFailures(method: string): void {
    this.state.failures.delete(method.toLowerCase());
  }

  /** Holds each of the next `times` calls of `method` for `ms` before handling it (a slow peer). */
  holdNext(method: string, ms: number, times = 1): void {
    const key = method.toLowerCase();
    const queue = this.state.holds.get(key) ?? [];
    for (let i = 0; i < times; i++) queue.push(ms);
    this.state.holds.set(key, queue);
  }

  /** Lets the next `passes` calls of `method` through, then fails `times` calls with `failure`
   * (e.g. the second part of a split message). */
  failAfter(method: string, passes: number, failure: ApiFailure, times = 1): void {
    const key = method.toLowerCase();
    const queue = this.state.failures.get(key) ?? [];
    for (let i = 0; i < passes; i++) queue.push(null);
    for (let i = 0; i < times; i++) queue.push(failure);
    this.state.failures.set(key, queue);
  }

  /** From now on every send to `chatId` answers 403 "bot was blocked by the user". */
  blockChat(chatId: number | string): void {
    this.state.blockedChats.add(Number(chatId));
  }

  unblockChat(chatId: number | string): void {
    this.state.blockedChats.delete(Number(chatId));
  }

  /** From now on sends to the old group answer 400 with `parameters.migrate_to_chat_id`. */
  migrateChat(fromChatId: number | string, toChatId: number | string): void {
    this.state.migratedChats.set(Number(fromChatId), Number(toChatId));
  }

  /** Resolves with the first recorded successful outbound call matching `predicate`. */
  async waitForSent(predicate: (call: RecordedCall) => boolean, timeoutMs = 5000): Promise<RecordedCall> {
    const find = () => this.sent.find(predicate);
    const found = find();
    if (found) return found;
    const listeners = this.state.sentListeners;
    return await new Promise<RecordedCall>((resolve, reject) => {
      const listener = () => {
        const match = find();
        if (match) {
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(listener);
        const seen = this.calls.map(
          (c) => `${c.method}${c.ok ? '' : `(failed ${c.response.ok ? '' : c.response.error_code})`}`,
        );
        reject(
          new Error(
            `waitForSent: no matching call within ${timeoutMs} ms; calls so far: ${seen.join(', ') || 'none'}`,
          ),
        );
      }, timeoutMs);
      listeners.add(listener);
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
    return await deliverToWebhook(this.state, update, options);
  }

  /** Registers bytes downloadable through getFile + `GET /file/bot<token>/<file_path>`. */
  addFile(
    content: Uint8Array | string,
    options: { fileId?: string; fileUniqueId?: string; filePath?: string } = {},
  ): RegisteredFile {
    return this.state.addFile(content, options);
  }

  /** A message (or any stored message, inbound or sent) by chat and id. */
  message(chatId: number | string, messageId: number): Message | undefined {
    return this.state.message(chatId, messageId);
  }
}
