/**
 * The Telegram channel adapter, on grammY: long polling by default (our own loop, so the offset
 * only moves past updates the store committed), or a webhook on the app's web server when
 * `settings.webhook` is set. Updates go through `classifyUpdate`; messages become `InboundMessage`s
 * for the core, commands and buttons are answered by `telegram-commands.ts`, and `send()` renders
 * the core's outbound messages with `renderOutbound`.
 */
import type { FastifyInstance } from 'fastify';
import { Bot, GrammyError } from 'grammy';
import type { Update } from 'grammy/types';
import type { HttpRouteProvider } from '../../api/server.js';
import type { TelegramSettings } from '../../config.js';
import type { ChannelAdapter, ChannelContext, OutboundMessage, SendResult } from '../../core/channel.js';
import type { CoreContext } from '../../core/core-context.js';
import {
  RetryLater,
  TelegramNotStartedError,
  TelegramTokenRejectedError,
  TelegramUnreachableError,
} from '../../core/errors.js';
import { createLogger, type Logger } from '../../logger.js';
import { classifyUpdate, type TelegramEventBase, type TelegramFile } from './parse-update.js';
import { type CommandDeps, handleCommand, handleTicketButton, tellUnsupported } from './telegram-commands.js';
import { describeError, isTransientFailure } from './telegram-errors.js';
import { apiSignal, downloadFiles } from './telegram-files.js';
import { albumKey, type InboundOptions, toInboundMessage } from './telegram-inbound.js';
import { TelegramPoller } from './telegram-polling.js';
import { TELEGRAM_ATTACHMENT_LIMITS, TelegramSender } from './telegram-sender.js';
import { handleSlotButton } from './telegram-slot-button.js';
import { registerWebhookRoute, setUpWebhook } from './telegram-webhook.js';

const DEFAULT_API_ROOT = 'https://api.telegram.org';

export interface TelegramAdapterOptions {
  settings: TelegramSettings;
  core: CoreContext;
  logger?: Logger;
  /** Files over this are kept as metadata with an `omittedReason`. Default 10 MB. */
  maxFileBytes?: number;
  /** Long-poll duration asked of `getUpdates`. Default 30 s. */
  pollTimeoutSeconds?: number;
  /** First back-off after a failed poll or update; doubles up to `maxRetryMs`. Default 1 s. */
  retryBaseMs?: number;
  /** Default 30 s. */
  maxRetryMs?: number;
  /** Attempts at an update failing with a transient-looking error before it is kept as failed
   * input and skipped. Default 5. */
  maxUpdateAttempts?: number;
  /** How long the start waits for the Bot API's `getMe`, in ms (default 15 s). grammY retries it
   * for ever; past this the start goes on and polling keeps trying, so an unreachable Telegram
   * never keeps the web server and the other channels from starting. */
  initTimeoutMs?: number;
}

/** The Telegram channel (see the file header). */
export class TelegramAdapter implements ChannelAdapter, HttpRouteProvider {
  readonly name = 'telegram' as const;
  readonly attachmentLimits = TELEGRAM_ATTACHMENT_LIMITS;
  /** The grammY bot (its `api` is the Bot API client). */
  readonly bot: Bot;
  private readonly settings: TelegramSettings;
  private readonly core: CoreContext;
  private readonly logger: Logger;
  private readonly options: TelegramAdapterOptions;
  private readonly sender: TelegramSender;
  private context?: ChannelContext;
  private abort = new AbortController();
  private loop?: Promise<void>;
  private running = false;
  /** Updates are handled one at a time (webhook requests may arrive together; order matters). */
  private serial: Promise<unknown> = Promise.resolve();
  /** update_id → failed attempts so far. */
  private readonly attempts = new Map<number, number>();

  constructor(options: TelegramAdapterOptions) {
    this.options = options;
    this.settings = options.settings;
    this.core = options.core;
    this.logger = options.logger ?? createLogger('silent');
    const apiRoot = this.settings.apiRoot?.replace(/\/+$/, '');
    // Each request gives up well before the delivery lease (grammY's own default is 500 s), but
    // not before a long poll's own wait.
    const timeoutSeconds = Math.max(
      this.settings.sendTimeoutSeconds ?? 60,
      (options.pollTimeoutSeconds ?? 30) + 10,
    );
    this.bot = new Bot(this.settings.token, { client: { ...(apiRoot ? { apiRoot } : {}), timeoutSeconds } });
    this.bot.use(async (ctx) => {
      await this.handle(ctx.update);
    });
    this.sender = new TelegramSender({
      api: this.bot.api,
      logger: this.logger,
      signal: () => this.abort.signal,
      onMigrated: (from, to) => this.followMigration(from, to),
    });
  }

  /** The one-time deep link that links a Telegram account: `https://t.me/<bot>?start=<code>`. */
  deepLink(code: string): string {
    return `https://t.me/${this.bot.botInfo.username}?start=${encodeURIComponent(code)}`;
  }

  /** Polling: loads the offset and starts the loop. Webhook: sets and verifies the webhook.
   * A token Telegram rejects fails the start. */
  async start(context: ChannelContext): Promise<void> {
    this.context = context;
    this.abort = new AbortController();
    const webhook = this.settings.webhook;
    try {
      const initTimeout = AbortSignal.timeout(this.options.initTimeoutMs ?? 15_000);
      await this.bot.init(apiSignal(AbortSignal.any([this.abort.signal, initTimeout])));
    } catch (error) {
      if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404)) {
        throw new TelegramTokenRejectedError(
          `Telegram rejected TELEGRAM_BOT_TOKEN (${error.error_code} ${error.description}); use the token @BotFather gave you`,
        );
      }
      if (webhook) {
        throw new TelegramUnreachableError(`cannot reach the Telegram Bot API: ${describeError(error)}`);
      }
      // Polling retries `getMe` in its loop.
      this.logger.error({ reason: describeError(error) }, 'telegram: cannot reach the Bot API yet; retrying');
    }
    if (webhook) {
      await setUpWebhook(this.bot, webhook, this.logger);
    } else {
      const poller = new TelegramPoller({
        bot: this.bot,
        context,
        logger: this.logger,
        now: this.core.now,
        signal: this.abort.signal,
        pollTimeoutSeconds: this.options.pollTimeoutSeconds ?? 30,
        retryBaseMs: this.options.retryBaseMs ?? 1000,
        maxRetryMs: this.options.maxRetryMs ?? 30_000,
      });
      const { loop } = await poller.start();
      this.loop = loop.catch((error: unknown) => {
        this.logger.error({ reason: describeError(error) }, 'telegram: polling loop ended');
      });
    }
    this.running = true;
  }

  /** Ends the long poll at once, lets the update in hand finish. The webhook stays set, so
   * Telegram keeps updates until the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
    await this.serial;
  }

  /** Webhook mode only: the POST route on the path of `webhook.url`. */
  registerRoutes(server: FastifyInstance): void {
    const webhook = this.settings.webhook;
    if (!webhook) return;
    registerWebhookRoute(server, {
      bot: this.bot,
      webhook,
      logger: this.logger,
      isRunning: () => this.running,
    });
  }

  /** See `TelegramSender.send`. */
  send(message: OutboundMessage): Promise<SendResult> {
    return this.sender.send(message);
  }

  private async followMigration(from: string, to: string): Promise<void> {
    try {
      await this.context?.renameConversation?.('telegram', from, to);
      this.logger.info({ from, to }, 'telegram: group became a supergroup; conversation moved');
    } catch (error) {
      this.logger.warn({ reason: describeError(error) }, 'telegram: could not move the conversation');
    }
  }

  private requireContext(): ChannelContext {
    if (!this.context) throw new TelegramNotStartedError();
    return this.context;
  }

  /** Handles one update, one at a time. A transient failure throws `RetryLater` (the update is
   * retried: polling does not move the offset, a webhook answers 503); a permanent one, or too
   * many attempts, keeps the update as failed input and skips it. */
  private handle(update: Update): Promise<void> {
    const run = this.serial.then(() => this.handleGuarded(update));
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async handleGuarded(update: Update): Promise<void> {
    const id = update.update_id;
    try {
      await this.dispatch(update);
      this.attempts.delete(id);
      return;
    } catch (error) {
      const attempt = (this.attempts.get(id) ?? 0) + 1;
      const reason = describeError(error);
      const maxAttempts = this.options.maxUpdateAttempts ?? 5;
      if (this.abort.signal.aborted || (isTransientFailure(error) && attempt < maxAttempts)) {
        this.attempts.set(id, attempt);
        throw new RetryLater(reason, { cause: error });
      }
      const event = classifyUpdate(update);
      try {
        await this.requireContext().recordFailedInput({
          channel: 'telegram',
          externalId: 'externalId' in event ? event.externalId : `update:${id}`,
          raw: { contentType: 'application/json', data: JSON.stringify(update) },
          error: reason,
        });
      } catch (recordError) {
        this.attempts.set(id, attempt);
        throw new RetryLater(`${reason}; keeping it failed: ${describeError(recordError)}`, { cause: error });
      }
      this.attempts.delete(id);
      this.logger.error({ updateId: id, reason }, 'telegram: update kept as failed input and skipped');
    }
  }

  private async dispatch(update: Update): Promise<void> {
    const event = classifyUpdate(update, {
      botUsername: this.bot.botInfo.username,
      now: this.core.now,
      locale: this.core.settings.defaultLocale,
    });
    switch (event.type) {
      case 'text':
        return this.ingest(event, update, { text: event.text, fullText: event.fullText });
      case 'media':
        return this.ingest(event, update, {
          text: event.text,
          attachments: await this.download(event.files),
          groupKey: albumKey(event),
        });
      case 'edit':
        // The files of an edited message were kept with the original; the edit stores its text.
        return this.ingest(event, update, { text: event.text, editOf: event.editOf });
      case 'command':
        await handleCommand(event, this.commandDeps(update));
        // A command in a caption (other than /new, which files them itself): keep the files too.
        if (event.files?.length && event.command !== 'new') {
          await this.ingest(event, update, {
            text: event.text,
            attachments: await this.download(event.files),
            groupKey: albumKey(event),
          });
        }
        return;
      case 'unsupported':
        this.logger.info(
          { updateId: event.updateId, chatId: event.chatId, kind: event.kind },
          'telegram: message kind that cannot be a ticket message; sender told',
        );
        return tellUnsupported(event, this.commandDeps(update));
      case 'callback':
        if (event.data.startsWith('slot:')) return handleSlotButton(event, this.commandDeps(update));
        return handleTicketButton(event, this.commandDeps(update));
      case 'migrate':
        await this.requireContext().renameConversation?.('telegram', event.fromChatId, event.toChatId);
        return;
      case 'ignored':
        this.logger.info(
          { updateId: event.updateId, chatId: event.chatId, reason: event.reason },
          'telegram: update ignored',
        );
    }
  }

  private download(files: TelegramFile[]) {
    return downloadFiles(files, {
      api: this.bot.api,
      token: this.settings.token,
      apiRoot: this.settings.apiRoot?.replace(/\/+$/, '') ?? DEFAULT_API_ROOT,
      maxFileBytes: this.options.maxFileBytes ?? 10 * 1024 * 1024,
      signal: this.abort.signal,
    });
  }

  private async ingest(event: TelegramEventBase, update: Update, options: InboundOptions): Promise<void> {
    const outcome = await this.requireContext().ingest(toInboundMessage(event, update, options));
    this.logger.debug({ updateId: update.update_id, status: outcome.status }, 'telegram: message ingested');
  }

  private commandDeps(update: Update): CommandDeps {
    return {
      core: this.core,
      api: this.bot.api,
      logger: this.logger,
      reply: (chatId, text, replyTo) => this.sender.reply(chatId, text, replyTo),
      ingestText: async (event, text, { forceNew }) =>
        this.ingest(event, update, {
          text,
          fullText: event.text,
          forceNew,
          attachments: event.files?.length ? await this.download(event.files) : undefined,
          groupKey: albumKey(event),
        }),
      deepLink: (code) => this.deepLink(code),
    };
  }
}
